export type { FastRule, Rule, RowView } from './types.js';
export { RowRejection, reject } from './rejection.js';
export { shortText, freeText, constant, firstPresent, normalizeShortText, checkLength, charLength } from './text.js';
export { enumeration, booleanOr } from './enumeration.js';
export { phone, toE164 } from './phone.js';
export { json } from './json.js';
export { integerInRange, decimal, coordinate } from './numbers.js';
export { derivedId, ID_NAMESPACE } from './ids.js';
