// Public surface of ring/: pure keyspace hashing and range assignment.
export { murmur3 } from './murmur3.js';
export { MAX_RANGES, rangeOf, rangeOfHash, rangeBounds } from './range.js';
export { assign } from './assign.js';
export type { AssignInput } from './assign.js';
export { quotas } from './quotas.js';
export { diff } from './diff.js';
export { whatIf } from './what-if.js';
export type { Change, WhatIfInput, WhatIfResult } from './what-if.js';
export { createRangePartitioner, rangePartitioner } from './partitioner.js';
export { RingError } from './errors.js';
export type { Member, Owners, Move } from './types.js';
