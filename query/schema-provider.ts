import type { Scope, QueryEngine } from './engine/engine.js';
import { compileQuery, resolveField, shapeResult, type FieldInfo, type Query, type SchemaProvider, type Source, type ValueInfo } from './language/index.js';
import type { SchemaCatalog } from '../storage/catalog/catalog.js';
import type { Table } from '../core/records.js';
import { withQueryRelations } from './execute.js';

const VALUE_WINDOW_MS = 24 * 3600 * 1000;
const TOP_VALUES = 20;

/**
 * Autocomplete's view of a project: property keys from the schema catalog, and a field's top values over
 * the last 24 h, counted by a `count by <field> | top 20` built as an AST (the typed field never becomes
 * query text) and run through the one compile-and-run path.
 */
export function schemaProvider(engine: QueryEngine, catalog: SchemaCatalog, scope: Scope, now: () => Date): SchemaProvider {
  return {
    fields(source: Source): FieldInfo[] {
      return catalog.properties(scope.project, source as Table).map((p) => ({ key: p.key, type: p.type, volume: p.volume }));
    },
    async values(source: Source, field: string): Promise<ValueInfo[]> {
      const at = now();
      const ref = resolveField(field, source);
      const query: Query = {
        dialect: 'gql',
        source,
        filter: null,
        time: { from: new Date(at.getTime() - VALUE_WINDOW_MS), to: at, explicit: true },
        aggregate: { func: 'count', field: null, groupBy: [ref] },
        post: [{ type: 'top', n: TOP_VALUES }],
        fields: null,
        timeslice: null,
        page: { size: TOP_VALUES },
        order: 'latest',
      };
      const compiled = compileQuery(query);
      const rows = await withQueryRelations(engine, scope, query, (rel) => rel.all(compiled.sql, compiled.params));
      const result = shapeResult(query, rows);
      if (result.dialect !== 'gql' || result.body.data.mode !== 'aggregate') return [];
      return result.body.data.results
        .filter((r) => r[field] !== null && typeof r[field] !== 'object')
        .map((r) => ({ value: r[field] as string | number | boolean, count: Number(r.value) }));
    },
  };
}
