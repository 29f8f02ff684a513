/** `#TRANSACTIONINFO` = `"<term>#<index>"` in scmTransactionInfos (§5, §10): the last applied entry. */
import { CodedError } from '../../common/coded-error.js';

export const TRANSACTION_INFO_KEY = '#TRANSACTIONINFO';

export interface TransactionInfo {
  readonly term: number;
  readonly index: number;
}

export class TransactionInfoError extends CodedError<'TRANSACTION_INFO_INVALID'> {}

export function formatTransactionInfo(t: TransactionInfo): string {
  return `${t.term}#${t.index}`;
}

export function parseTransactionInfo(s: string): TransactionInfo {
  const m = /^(\d+)#(\d+)$/.exec(s);
  if (!m) throw new TransactionInfoError('TRANSACTION_INFO_INVALID', `${JSON.stringify(s)} is not <term>#<index>`);
  return { term: Number(m[1]), index: Number(m[2]) };
}
