import type { FastifyInstance } from 'fastify';
import { MAX_PAGE_SIZE } from '../registry/listing.js';
import { manualDoorView } from './manual-door-responses.js';
import type { GrantRecord, RegistryStore } from '../registry/types.js';
import { json, problemAnswer } from './answers.js';
import { actorOf } from './auth.js';
import { pageAnswer, pageQuery } from './registry-routes.js';
import { supplierPageSchema, supplierSchema, supplierWithGrantsSchema } from './supplier-responses.js';
import { emptyWhenAbsent, type ZodTypeProvider } from './route-contract.js';
import {
  createSupplierSchema,
  listSuppliersQuerySchema,
  patchSupplierSchema,
  SUPPLIER_QUERY_DESCRIPTIONS,
  supplierParams,
} from './supplier-schemas.js';
import type { SupplierService } from './supplier-service.js';
import { grantPages } from '../registry/grant-pages.js';
import { grantView, supplierView } from './views.js';

export interface SupplierRoutesOptions {
  suppliers: SupplierService;
  registry: RegistryStore;
  now?: () => number;
}

/** Grants per query when a supplier's whole history is read. */
const GRANTS_PAGE = 500;

const TAGS = ['suppliers'];

/** Examples shown in the document; the tests check that the schemas accept them. */
export const SUPPLIER_EXAMPLES = {
  create: {
    legalName: 'Plomberie Côté & Fils inc.',
    contactEmails: ['support@cote.example'],
    sponsor: { name: 'Rita Tremblay', email: 'rita@corp.example' },
    notes: 'Boiler maintenance contract',
  },
  patch: { contractEnd: '2099-12-31T23:59:59Z' },
};

/** `POST /v1/suppliers`, `GET /v1/suppliers`, `GET /v1/suppliers/{id}` and `PATCH /v1/suppliers/{id}`. */
export function supplierRoutes(app: FastifyInstance, options: SupplierRoutesOptions): void {
  const { suppliers, registry, now = Date.now } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/v1/suppliers',
    {
      config: { permission: 'request' },
      schema: {
        operationId: 'createSupplier',
        tags: TAGS,
        summary: 'Register a supplier',
        description:
          'Its canonical key is derived from the legal name and never changes: another spelling of a registered ' +
          'name is the same supplier (`409` naming it). A `contractEnd` must be in the future; no grant of the ' +
          'supplier may run past it.',
        body: emptyWhenAbsent(createSupplierSchema(now)),
        docs: { example: SUPPLIER_EXAMPLES.create },
        response: {
          201: json('Registered.', supplierSchema, {
            Location: { description: 'The supplier, `/v1/suppliers/{id}`.', schema: { type: 'string' } },
          }),
          409: problemAnswer('A supplier of the same legal name is registered (`supplierId`): use it.'),
        },
      },
    },
    async (request, reply) => {
      const supplier = await suppliers.create(request.body, actorOf(request));
      return reply.code(201).header('location', `/v1/suppliers/${supplier.id}`).send(supplierView(supplier));
    },
  );

  api.get(
    '/v1/suppliers',
    {
      config: { permission: 'read' },
      schema: {
        operationId: 'listSuppliers',
        tags: TAGS,
        summary: 'List suppliers',
        description:
          'Filters combine with AND; pages are newest first. Follow `nextCursor` for the next page.',
        querystring: listSuppliersQuerySchema,
        docs: { query: { descriptions: SUPPLIER_QUERY_DESCRIPTIONS } },
        response: { 200: json('One page of suppliers.', supplierPageSchema) },
      },
    },
    async (request) => {
      const { suppliers: items, next } = await registry.listSuppliers(pageQuery(request.query));
      return pageAnswer('suppliers', { items, next }, supplierView);
    },
  );

  api.get(
    '/v1/suppliers/:id',
    {
      config: { permission: 'read' },
      schema: {
        operationId: 'getSupplier',
        tags: TAGS,
        summary: 'One supplier with every grant and manual door it ever had',
        description:
          'The supplier, its grants and its manual doors (`manualDoors`, at most 500), current and past, newest first.',
        params: supplierParams,
        response: { 200: json('The supplier, with `grants`.', supplierWithGrantsSchema) },
      },
    },
    async (request) => {
      const supplier = await suppliers.get(request.params.id);
      const [grants, doors] = await Promise.all([
        grantsOf(registry, supplier.id),
        registry.listManualDoors({ supplierId: supplier.id, limit: MAX_PAGE_SIZE }),
      ]);
      // The trails say how ended grants ended, in one query; live grants need none.
      const trails = await registry.listEventsOf(grants.filter((g) => g.endedAt).map((g) => g.id));
      return {
        ...supplierView(supplier),
        grants: grants.map((grant) => grantView(grant, { trail: trails.get(grant.id) ?? [] })),
        manualDoors: doors.manualDoors.map(manualDoorView),
      };
    },
  );

  api.patch(
    '/v1/suppliers/:id',
    {
      config: { permission: 'request' },
      schema: {
        operationId: 'updateSupplier',
        tags: TAGS,
        summary: 'Change a supplier',
        description:
          'Absent fields stay as they are; `null` clears `contractEnd` or `notes`. `legalName` may change its ' +
          'spelling only: the canonical key never changes. A new `contractEnd` must be in the future; moved ' +
          "earlier, it shortens the supplier's live grants and the sponsor is told.",
        params: supplierParams,
        body: emptyWhenAbsent(patchSupplierSchema(now)),
        docs: { example: SUPPLIER_EXAMPLES.patch },
        response: { 200: json('Changed.', supplierSchema) },
      },
    },
    async (request) =>
      supplierView(await suppliers.update(request.params.id, request.body, actorOf(request))),
  );
}

/** Every grant of the supplier, newest first, page by page. */
async function grantsOf(registry: RegistryStore, supplierId: string): Promise<GrantRecord[]> {
  const grants: GrantRecord[] = [];
  for await (const page of grantPages(registry, { supplierId, limit: GRANTS_PAGE })) grants.push(...page);
  return grants;
}
