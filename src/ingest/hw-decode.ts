/** Hardware decode presets for ffmpeg 5.1 (Debian 12). Pure. */
export type HwAccel = "none" | "vaapi" | "qsv" | "nvdec";
export type HwCodec = "h264" | "hevc";

export const HW_ACCELS: readonly HwAccel[] = ["none", "vaapi", "qsv", "nvdec"];

const DEFAULT_RENDER_NODE = "/dev/dri/renderD128";

/**
 * Input options (they go before each `-i`) that decode on the GPU and keep frames there:
 * - vaapi: the generic hwaccel on the native decoder, any codec the driver supports.
 * - qsv: ffmpeg 5.1 has no generic QSV hwaccel for the native decoders; the codec-specific
 *   `h264_qsv`/`hevc_qsv` decoder must be named, so the stream's codec has to be known.
 * - nvdec: `-hwaccel cuda` is the NVDEC path of the native decoders (`-hwaccel_device` is the CUDA
 *   device index).
 * Frames stay in GPU memory (`-hwaccel_output_format`) until `hwDownload` brings down only those
 * that the fps filters kept, so 25 fps are decoded but only 5 cross the bus.
 */
export function hwDecodeOptions(hw: HwAccel, device: string | undefined, codec: HwCodec = "h264"): string[] {
  switch (hw) {
    case "none":
      return [];
    case "vaapi":
      return ["-hwaccel", "vaapi", "-hwaccel_device", device ?? DEFAULT_RENDER_NODE, "-hwaccel_output_format", "vaapi"];
    case "qsv":
      return [
        "-hwaccel",
        "qsv",
        "-qsv_device",
        device ?? DEFAULT_RENDER_NODE,
        "-hwaccel_output_format",
        "qsv",
        "-c:v",
        `${codec}_qsv`,
      ];
    case "nvdec":
      return ["-hwaccel", "cuda", "-hwaccel_device", device ?? "0", "-hwaccel_output_format", "cuda"];
  }
}

/** Filters that copy a GPU frame into system memory as NV12, which the CPU filters then take. */
export function hwDownload(hw: HwAccel): string[] {
  return hw === "none" ? [] : ["hwdownload", "format=nv12"];
}
