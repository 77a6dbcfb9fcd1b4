// The shared contract (src/contract) is compiled here for its incident and role types; one of its
// files also describes decoded frames with Node's Buffer, which the console never touches. Declared
// as the byte array it is, so the contract compiles in a browser project without Node's types.
type Buffer = Uint8Array;
