import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly height: number;
  readonly selected: number;
  readonly label: string;
  readonly keyOf: (item: T) => string;
  readonly row: (item: T, index: number, selected: boolean) => ComponentChildren;
  readonly onKeyDown?: (e: KeyboardEvent) => void;
  readonly onSelect?: (index: number) => void;
}

/**
 * A listbox that renders only the rows in view (plus a margin), so ten thousand incidents cost
 * what thirty do. The selected row is kept in view; the list itself holds the keyboard focus and
 * points at the selected row with aria-activedescendant.
 */
export function VirtualList<T>(p: VirtualListProps<T>) {
  const box = useRef<HTMLUListElement>(null);
  const [top, setTop] = useState(0);
  useEffect(() => {
    const el = box.current;
    if (!el || p.selected < 0) return;
    const y = p.selected * p.rowHeight;
    if (y < el.scrollTop) el.scrollTop = y;
    else if (y + p.rowHeight > el.scrollTop + p.height) el.scrollTop = y + p.rowHeight - p.height;
  }, [p.selected, p.rowHeight, p.height]);
  const first = Math.max(0, Math.floor(top / p.rowHeight) - 5);
  const last = Math.min(p.items.length, Math.ceil((top + p.height) / p.rowHeight) + 5);
  const selectedItem = p.items[p.selected];
  return (
    <ul
      ref={box}
      class="vlist"
      role="listbox"
      tabIndex={0}
      aria-label={p.label}
      aria-activedescendant={selectedItem ? `row-${p.keyOf(selectedItem)}` : undefined}
      style={{ height: `${p.height}px` }}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
      onKeyDown={p.onKeyDown}
    >
      <li role="presentation" style={{ height: `${first * p.rowHeight}px` }} />
      {p.items.slice(first, last).map((item, k) => {
        const index = first + k;
        const selected = index === p.selected;
        return (
          <li
            key={p.keyOf(item)}
            id={`row-${p.keyOf(item)}`}
            role="option"
            aria-selected={selected}
            aria-posinset={index + 1}
            aria-setsize={p.items.length}
            class={selected ? "row selected" : "row"}
            style={{ height: `${p.rowHeight}px` }}
            onClick={() => p.onSelect?.(index)}
          >
            {p.row(item, index, selected)}
          </li>
        );
      })}
      <li role="presentation" style={{ height: `${(p.items.length - last) * p.rowHeight}px` }} />
    </ul>
  );
}
