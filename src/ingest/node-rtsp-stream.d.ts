// node-rtsp-stream 0.0.9 ships no types; this is the part of its Mpeg1Muxer that Vigil uses.
declare module "node-rtsp-stream/mpeg1muxer.js" {
  import type { ChildProcessWithoutNullStreams } from "node:child_process";
  import type { EventEmitter } from "node:events";

  interface Mpeg1MuxerOptions {
    url: string;
    ffmpegPath: string;
    /** Flags after `-i URL -f mpegts -codec:v mpeg1video`, in order; an empty value is a bare flag. */
    ffmpegOptions?: Record<string, string>;
  }

  interface Mpeg1Muxer extends EventEmitter {
    readonly stream: ChildProcessWithoutNullStreams;
    on(event: "mpeg1data", listener: (data: Buffer) => void): this;
    on(event: "ffmpegStderr", listener: (data: Buffer) => void): this;
    on(event: "exitWithError", listener: () => void): this;
  }

  const Mpeg1Muxer: new (options: Mpeg1MuxerOptions) => Mpeg1Muxer;
  export default Mpeg1Muxer;
}
