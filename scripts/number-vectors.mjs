// Prints test vectors for RFC 8785 number serialization: one line per double,
// "<16 hex digits of the IEEE 754 bit pattern> <ECMAScript Number.prototype.toString>".
// The oracle is the JavaScript engine running this script.
//
//   node scripts/number-vectors.mjs [COUNT] [SEED] > Tests/HandoffJSONTests/Fixtures/es-numbers.txt
//
// The same COUNT and SEED always print the same lines.
const count = Number(process.argv[2] ?? 50000);
let state = BigInt(process.argv[3] ?? 20261120) | 1n;
const mask = (1n << 64n) - 1n;
function next64() {
  // xorshift64*: small, deterministic, good enough to spread bit patterns.
  state ^= state >> 12n; state ^= (state << 25n) & mask; state ^= state >> 27n;
  return (state * 2685821657736338717n) & mask;
}
const view = new DataView(new ArrayBuffer(8));
const lines = [];
function emit(x) {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0).toString(16).padStart(16, "0");
  lines.push(`${bits} ${String(x)}`);
}
const edges = [0, -0, 1, -1, 0.1, 0.5, 1e21, 1e20, 9.999999999999999e20, 1e-6, 1e-7, 0.000001, 1.5e-7,
  5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
  -1.7976931348623157e308, 9007199254740991, 9007199254740992, 9007199254740994, 2 ** 60, 2 ** 64,
  123456789012345680000, 4.35, 0.1 + 0.2, 333333333.3333333, 1e23, 295147905179352830000, 1e-323,
  1.0000000000000002, 0.30000000000000004, 1e300, 1.25e-7, 100, 1e15, 1e16, 1e17, 12345678.9];
for (const x of edges) emit(x);
while (lines.length < count) {
  const kind = Number(next64() % 4n);
  let x;
  if (kind <= 1) {
    // Any bit pattern but NaN and the infinities.
    view.setBigUint64(0, next64());
    x = view.getFloat64(0);
    if (!Number.isFinite(x)) continue;
  } else if (kind === 2) {
    // Short decimals with an exponent, the numbers people write.
    const digits = Number(next64() % 100000n);
    const exponent = Number(next64() % 60n) - 30;
    x = Number(`${digits}e${exponent}`);
  } else {
    // Doubles around the switch points of the format (1e-7, 1e21) and around powers of two.
    const base = [1e-7, 1e-6, 1e21, 1e20, 2 ** 53, 2 ** 64][Number(next64() % 6n)];
    view.setFloat64(0, base);
    const delta = BigInt.asIntN(64, next64()) % 1000n;
    view.setBigUint64(0, view.getBigUint64(0) + delta);
    x = view.getFloat64(0);
    if (!Number.isFinite(x)) continue;
  }
  emit(next64() % 2n === 0n ? x : -x);
}
process.stdout.write(lines.join("\n") + "\n");
