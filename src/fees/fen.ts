/** Money in whole fen (BigInt): exact sums and one rounding, with no binary float noise. */

export const FEN_PER_YUAN = 100n;

/** Yuan as stored in an answer (at most two decimals) → whole fen. */
export function toFen(yuan: number): bigint {
  if (!Number.isFinite(yuan)) throw new Error(`not an amount: ${yuan}`);
  return BigInt(Math.round(yuan * 100));
}

/** Whole fen → yuan; exact for any amount a court sees (whole yuan and fen are converted apart). */
export function fenToYuan(fen: bigint): number {
  const sign = fen < 0n ? -1 : 1;
  const abs = fen < 0n ? -fen : fen;
  return sign * (Number(abs / FEN_PER_YUAN) + Number(abs % FEN_PER_YUAN) / 100);
}

/** numerator / denominator rounded to the nearest whole number, halves up (both non-negative). */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}
