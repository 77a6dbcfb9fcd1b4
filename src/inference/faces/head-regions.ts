import type { Detection } from "../../contract/detection.js";
import { squareAround, type PixelRect } from "../regions/region-plan.js";

/**
 * Where to look for a person's face: a square as wide as the person, from a little above the top
 * of their box down. For someone standing it holds the head and shoulders (the head is a seventh
 * of their height, under half their width); for a person seen from the waist up, head and chest.
 * Pure. `minSide` skips people too small to yield a face worth recognising; `grow` widens the
 * square (a picture taken a moment apart from the one the person was found in).
 */
export function headRegions(
  people: readonly Detection[],
  frameWidth: number,
  frameHeight: number,
  o: { readonly minSide: number; readonly max: number; readonly grow?: number },
): PixelRect[] {
  const fit = Math.min(frameWidth, frameHeight);
  return people
    .map((p) => ({ p, w: (p.box.x2 - p.box.x1) * frameWidth, h: (p.box.y2 - p.box.y1) * frameHeight }))
    .filter(({ w, h }) => w > 0 && h > 0)
    .sort((a, b) => b.w * b.h - a.w * a.h)
    .slice(0, o.max)
    .map(({ p, w, h }) => {
      const side = Math.min(fit, Math.round(Math.min(w, h) * 1.1 * (o.grow ?? 1)));
      const top = p.box.y1 * frameHeight - 0.1 * side;
      const cx = ((p.box.x1 + p.box.x2) / 2) * frameWidth;
      return {
        side,
        square: squareAround(
          { x1: cx - side / 2, y1: top, x2: cx + side / 2, y2: top + side },
          side,
          frameWidth,
          frameHeight,
        ),
      };
    })
    .filter(({ side }) => side >= o.minSide)
    .map(({ square }) => square);
}
