import { beforeAll, describe, expect, it } from 'vitest';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces, type Verdicts } from './faces.js';
import { LAYERS, type DataLayer, type LayerName } from './layers.js';
import { SOURCES, type Handler, type Source } from './sources.js';

/*
 * The parity matrix of no-client-tenant-id (issue 12): a tenant id the client chooses (a header,
 * the query, a route parameter, the body, a form field, a server action's argument, a DTO) that
 * reaches a tenant filter or a tenant write is the same leak on every data layer. Every source x
 * every data layer x both positions is generated twice, an unsafe twin (the client's value
 * reaches the sink) and a safe twin (an equality check against the verified identity gates it),
 * and both faces (the scanner and the ESLint plugin) must give the same verdict: one
 * `clientTenantId` at the read for the unsafe twin, nothing for the safe one.
 */

type Position = 'filter' | 'write';
const POSITIONS: Position[] = ['filter', 'write'];

/**
 * Cells that cannot exist, with the reason: declared here, once. Keyed `layer position` (any
 * source) or `layer position source`. Every layer has both a tenant filter and a tenant write,
 * and every source can reach either, so none is declared today.
 */
const IMPOSSIBLE: Record<string, string> = {};

/**
 * Cells whose unsafe twin is not reported today, with the reason. The test asserts that they are
 * still missed, so that closing a gap fails here until its entry is removed.
 */
const KNOWN_GAPS: Record<string, string> = {};

function lookup(table: Record<string, string>, layer: LayerName, position: Position, source: Source): string | undefined {
  return table[`${layer} ${position} ${source.name}`] ?? table[`${layer} ${position}`];
}

interface Cell {
  id: string;
  source: Source;
  position: Position;
  unsafe: Handler;
  safe: Handler;
}

function cellsOf(layer: DataLayer): Cell[] {
  const cells: Cell[] = [];
  SOURCES.forEach((source, s) => {
    for (const position of POSITIONS) {
      if (lookup(IMPOSSIBLE, layer.name, position, source)) continue;
      const sink = position === 'filter' ? layer.filter('orgId') : layer.write('orgId');
      const id = `s${s}-${position}`;
      cells.push({
        id,
        source,
        position,
        unsafe: source.handler(`${id}-unsafe`, layer.imports, sink, false),
        safe: source.handler(`${id}-safe`, layer.imports, sink, true),
      });
    }
  });
  return cells;
}

const { makeProject } = useScratch();

describe.each(LAYERS)('no-client-tenant-id parity: $name', (layer) => {
  const cells = cellsOf(layer);
  const faces: { scanner: Verdicts; eslint: Verdicts } = { scanner: new Map(), eslint: new Map() };

  beforeAll(async () => {
    const files: Record<string, string> = { ...layer.files };
    for (const cell of cells) {
      files[cell.unsafe.path] = cell.unsafe.text;
      files[cell.safe.path] = cell.safe.text;
    }
    Object.assign(faces, await bothFaces(makeProject(files), 'no-client-tenant-id'));
  }, 120_000);

  describe.each(cells)('$source.name reaching a $position', (cell) => {
    const gap = lookup(KNOWN_GAPS, layer.name, cell.position, cell.source);

    it.each(['scanner', 'eslint'] as const)('%s: the unsafe twin is reported at the read', (face) => {
      const found = faces[face].get(cell.unsafe.path) ?? [];
      if (gap) expect(found, `known gap: ${gap}`).toEqual([]);
      else expect(found).toEqual([`${cell.unsafe.readLine} clientTenantId`]);
    });

    it.each(['scanner', 'eslint'] as const)('%s: the safe twin is not reported', (face) => {
      expect(faces[face].get(cell.safe.path) ?? []).toEqual([]);
    });
  });
});

/*
 * A filter that pins the verified user beside the client's tenant id (`{ org_id, user_id:
 * req.user.id }`) returns only that user's rows: a membership lookup, not a leak, on every layer
 * that filters with an object. (The unpinned read is the matrix's unsafe twin above.)
 */
describe.each(LAYERS.filter((layer) => layer.pinned))('no-client-tenant-id parity: a filter pinned to the verified user on $name', (layer) => {
  const source = SOURCES.find((s) => s.framework === 'express')!;
  const cell = source.handler('pinned', layer.imports, layer.pinned!('orgId', 'req.user.id'), false);
  const faces: { scanner: Verdicts; eslint: Verdicts } = { scanner: new Map(), eslint: new Map() };

  beforeAll(async () => {
    Object.assign(faces, await bothFaces(makeProject({ ...layer.files, [cell.path]: cell.text }), 'no-client-tenant-id'));
  }, 120_000);

  it.each(['scanner', 'eslint'] as const)('%s: not reported', (face) => {
    expect(faces[face].get(cell.path) ?? []).toEqual([]);
  });
});
