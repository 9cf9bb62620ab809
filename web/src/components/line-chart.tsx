/** A small SVG line chart of one series over time, drawn at the container's width (text stays legible on a phone). */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { formatDateTime, formatShortDate, formatTime } from '../format.js';

export interface ChartPoint {
  at: Date;
  value: number;
}

const PADDING = { top: 12, right: 16, bottom: 28, left: 72 };
const DAY_MS = 86_400_000;

/**
 * 1, 2, 4, 5 or 8 times a power of ten at or above `value`, counted in `unit`s (1024 ** n for bytes),
 * so the quarter gridlines read as round numbers.
 */
function niceCeiling(value: number, unitBase: number): number {
  if (value <= 0) return 1;
  const unit = unitBase ** Math.max(0, Math.floor(Math.log(value) / Math.log(unitBase)));
  const scaled = value / unit;
  const power = 10 ** Math.floor(Math.log10(scaled));
  return ([1, 2, 4, 8, 10].find((step) => step * power >= scaled) ?? 10) * power * unit;
}

export function LineChart({
  points,
  label,
  formatValue,
  unitBase = 1000,
  height = 220,
}: {
  points: readonly ChartPoint[];
  label: string;
  formatValue: (value: number) => string;
  /** 1024 for bytes shown in binary units, so gridlines fall on round KB, MB, GB. */
  unitBase?: number;
  height?: number;
}) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  useLayoutEffect(() => {
    const container = containerRef.current!;
    setWidth(container.clientWidth || 640);
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.round(entry.contentRect.width)));
    observer.observe(container);
    return () => observer.disconnect();
  }, []);

  const first = points[0];
  const last = points[points.length - 1];
  const plotWidth = Math.max(width - PADDING.left - PADDING.right, 10);
  const plotHeight = height - PADDING.top - PADDING.bottom;
  const maxValue = niceCeiling(Math.max(...points.map((p) => p.value), 0), unitBase);
  const start = first?.at.getTime() ?? 0;
  const span = Math.max((last?.at.getTime() ?? 0) - start, 1);
  const x = (point: ChartPoint) => PADDING.left + (points.length === 1 ? plotWidth / 2 : ((point.at.getTime() - start) / span) * plotWidth);
  const y = (value: number) => PADDING.top + plotHeight - (value / maxValue) * plotHeight;
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const baseline = y(0);
  const area = first && last ? `${line} L${x(last).toFixed(1)},${baseline} L${x(first).toFixed(1)},${baseline} Z` : '';
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * maxValue);
  const summary = first && last ? `${label}: ${formatValue(first.value)} on ${formatDateTime(first.at)}, ${formatValue(last.value)} on ${formatDateTime(last.at)}` : label;
  const xLabels = points.length > 2 ? [first!, points[Math.floor(points.length / 2)]!, last!] : points;
  // Within a day, dates alone would all read the same: the axis shows times.
  const formatAxis = span < DAY_MS ? formatTime : formatShortDate;

  return (
    <div class="chart" ref={containerRef}>
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary}>
        {ticks.map((tick) => (
          <g key={tick} class="chart-grid">
            <line x1={PADDING.left} x2={PADDING.left + plotWidth} y1={y(tick)} y2={y(tick)} />
            <text x={PADDING.left - 8} y={y(tick)} dy="0.32em" text-anchor="end">
              {formatValue(tick)}
            </text>
          </g>
        ))}
        {xLabels.map((point, i) => (
          <text key={i} class="chart-axis-label" x={x(point)} y={height - 8} text-anchor={i === 0 && xLabels.length > 1 ? 'start' : i === xLabels.length - 1 && xLabels.length > 1 ? 'end' : 'middle'}>
            {formatAxis(point.at)}
          </text>
        ))}
        <path class="chart-area" d={area} />
        <path class="chart-line" d={line} />
        {points.length <= 60 &&
          points.map((point, i) => (
            <circle key={i} class="chart-point" cx={x(point)} cy={y(point.value)} r={3}>
              <title>{`${formatDateTime(point.at)}: ${formatValue(point.value)}`}</title>
            </circle>
          ))}
      </svg>
    </div>
  );
}
