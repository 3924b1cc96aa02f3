import type { Partition } from "./types";

/** One cell of the coverage grid; null where the hospital has no data that month (a gap). */
export interface CoverageCell {
  rows: number;
  files: number;
  bytes: number;
}

/** Hospitals (rows) x months (columns), every month from the first to the last present. */
export interface CoverageGrid {
  hospitals: string[];
  months: string[];
  /** cells[h][m] for hospitals[h] and months[m]. */
  cells: (CoverageCell | null)[][];
  /** How many cells are gaps. */
  gaps: number;
}

const MONTH = /^(\d{4})-(\d{2})$/;

function monthIndex(month: string): number {
  const match = MONTH.exec(month);
  if (!match) {
    throw new Error(`Not a YYYY-MM month: '${month}'`);
  }
  const monthNumber = Number(match[2]);
  if (monthNumber < 1 || monthNumber > 12) {
    throw new Error(`Not a YYYY-MM month: '${month}'`);
  }
  return Number(match[1]) * 12 + (monthNumber - 1);
}

function monthName(index: number): string {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
}

/** Every YYYY-MM month from {@code first} to {@code last}, both included. */
export function monthRange(first: string, last: string): string[] {
  const months: string[] = [];
  for (let index = monthIndex(first); index <= monthIndex(last); index++) {
    months.push(monthName(index));
  }
  return months;
}

/**
 * Builds the coverage grid from the partitions list: hospitals sorted, months spanning the
 * earliest to the latest month present (months no hospital has are columns of gaps), and
 * partitions of the same hospital and month summed.
 */
export function buildCoverageGrid(partitions: readonly Partition[]): CoverageGrid {
  if (partitions.length === 0) {
    return { hospitals: [], months: [], cells: [], gaps: 0 };
  }
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const hospitals = new Set<string>();
  for (const partition of partitions) {
    const index = monthIndex(partition.month);
    first = Math.min(first, index);
    last = Math.max(last, index);
    hospitals.add(partition.hospital_id);
  }
  const months: string[] = [];
  for (let index = first; index <= last; index++) {
    months.push(monthName(index));
  }
  const hospitalList = [...hospitals].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const row = new Map(hospitalList.map((hospital, position) => [hospital, position]));
  const cells: (CoverageCell | null)[][] = hospitalList.map(() => months.map(() => null));
  for (const partition of partitions) {
    const h = row.get(partition.hospital_id)!;
    const m = monthIndex(partition.month) - first;
    const cell = cells[h]![m];
    if (cell) {
      cell.rows += partition.rows;
      cell.files += partition.files;
      cell.bytes += partition.bytes;
    } else {
      cells[h]![m] = { rows: partition.rows, files: partition.files, bytes: partition.bytes };
    }
  }
  const gaps = cells.reduce((sum, line) => sum + line.filter((cell) => cell === null).length, 0);
  return { hospitals: hospitalList, months, cells, gaps };
}

/** How many shades the coverage heat-map has (level 1 = fewest rows, HEAT_LEVELS = most). */
export const HEAT_LEVELS = 5;

/**
 * The heat-map shade of a cell: 1..HEAT_LEVELS by its rows relative to the fullest cell of the grid
 * (linear, so a month with half the usual rows stands out); 0 for a gap or an empty cell.
 */
export function heatLevel(rows: number, maxRows: number): number {
  if (rows <= 0 || maxRows <= 0) {
    return 0;
  }
  return Math.min(HEAT_LEVELS, Math.max(1, Math.ceil((HEAT_LEVELS * rows) / maxRows)));
}

/** The most rows of any cell of the grid (0 when it has none). */
export function maxCellRows(grid: CoverageGrid): number {
  return grid.cells.reduce((max, line) => line.reduce((m, cell) => Math.max(m, cell?.rows ?? 0), max), 0);
}
