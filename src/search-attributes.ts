import type { Client } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { Logger } from 'pino';
import { GRANT_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;

const INDEXED_TYPES: Record<SearchAttributeType, proto.temporal.api.enums.v1.IndexedValueType> = {
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Registers the grant search attributes in the namespace when they are missing (idempotent), and tells
 * whether they are all there. Where the service may not register them (Temporal Cloud registers attributes
 * through its own API), grants still run, unindexed, and the log says what to register by hand.
 */
export async function ensureSearchAttributes(
  client: Client,
  namespace: string,
  logger: Logger,
): Promise<boolean> {
  const operator = client.connection.operatorService;
  const wanted = Object.fromEntries(
    GRANT_SEARCH_ATTRIBUTES.map((key) => [key.name, INDEXED_TYPES[key.type]]),
  );
  try {
    const existing = (await operator.listSearchAttributes({ namespace })).customAttributes ?? {};
    const missing = Object.fromEntries(Object.entries(wanted).filter(([name]) => !(name in existing)));
    if (Object.keys(missing).length > 0) {
      await operator.addSearchAttributes({ namespace, searchAttributes: missing });
      logger.info({ searchAttributes: Object.keys(missing) }, 'grant search attributes registered');
    }
    return true;
  } catch (err) {
    logger.warn(
      {
        err: err instanceof Error ? err.message : String(err),
        searchAttributes: GRANT_SEARCH_ATTRIBUTES.map((key) => `${key.name}:${key.type}`),
      },
      'grant search attributes could not be registered: grants run, but are not filterable in the Temporal UI until these are registered',
    );
    return false;
  }
}
