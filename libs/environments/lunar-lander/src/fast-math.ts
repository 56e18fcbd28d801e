/**
 * `Math`, held by a module. The simulator's hot loops call Math hundreds of thousands of times per
 * landing, and a global lookup is many times slower inside a vm context (how Jest runs code: the
 * dreamer's sandbox ran ~8x slower there); a module binding is not.
 */
export const M = Math;
