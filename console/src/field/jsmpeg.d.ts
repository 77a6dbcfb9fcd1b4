// The part of @cycjimmy/jsmpeg-player (JSMpeg 0.2) the live view uses; the package ships no types.
declare module "@cycjimmy/jsmpeg-player" {
  export interface JsmpegSource {
    streaming: boolean;
    established: boolean;
    completed: boolean;
    progress: number;
    connect(destination: { write(data: ArrayBuffer): void }): void;
    start(): void;
    resume(headroom: number): void;
    destroy(): void;
  }
  export interface PlayerOptions {
    canvas: HTMLCanvasElement;
    // jsmpeg passes the options given to the Player, so a source may expect its own extra ones.
    source: new (url: string, options: never) => JsmpegSource;
    audio?: boolean;
    disableGl?: boolean;
    disableWebAssembly?: boolean;
    pauseWhenHidden?: boolean;
    videoBufferSize?: number;
    [option: string]: unknown;
  }
  export class Player {
    constructor(url: string, options: PlayerOptions);
    destroy(): void;
  }
  const JSMpeg: { Player: typeof Player };
  export default JSMpeg;
}
