import {
  ColumnTypeEnum,
  DriverAdapterError,
  type ArgType,
  type ColumnType,
  type Error as DriverError,
} from '@prisma/driver-adapter-utils';

// What Prisma's query engine and SQLite each expect of the other's values and errors, for the
// project's SQLite driver adapter (sqlite-adapter.ts). Prisma stores DateTime as ISO 8601 text
// and Boolean as 0/1 on SQLite; the connection reads integers as BigInt (no silent rounding).

/** A value as better-sqlite3 binds it. */
export type SqliteValue = number | bigint | string | Buffer | null;

/** `arg` of Prisma's scalar type `type`, as SQLite stores it. */
export function toSqliteValue(arg: unknown, type: ArgType | undefined): SqliteValue {
  if (arg === null || arg === undefined) return null;
  if (typeof arg === 'boolean') return arg ? 1 : 0;
  if (arg instanceof Date) return isoText(arg);
  if (typeof arg === 'string') {
    switch (type?.scalarType) {
      case 'int':
        return Number.parseInt(arg, 10);
      case 'float':
      case 'decimal':
        return Number.parseFloat(arg);
      case 'bigint':
        return BigInt(arg);
      case 'datetime':
        return isoText(new Date(arg));
      case 'bytes':
        return Buffer.from(arg, 'base64');
      default:
        return arg;
    }
  }
  if (arg instanceof Uint8Array) return Buffer.from(arg);
  return arg as SqliteValue;
}

// The form Prisma's own SQLite adapter writes, so rows it wrote and rows this one writes compare.
const isoText = (date: Date): string => date.toISOString().replace('Z', '+00:00');

// A column's declared type (as in CREATE TABLE) by the type Prisma reads it as.
const declaredTypes: Record<string, ColumnType> = {
  DECIMAL: ColumnTypeEnum.Numeric,
  FLOAT: ColumnTypeEnum.Float,
  DOUBLE: ColumnTypeEnum.Double,
  'DOUBLE PRECISION': ColumnTypeEnum.Double,
  NUMERIC: ColumnTypeEnum.Double,
  REAL: ColumnTypeEnum.Double,
  TINYINT: ColumnTypeEnum.Int32,
  SMALLINT: ColumnTypeEnum.Int32,
  MEDIUMINT: ColumnTypeEnum.Int32,
  INT: ColumnTypeEnum.Int32,
  INTEGER: ColumnTypeEnum.Int32,
  SERIAL: ColumnTypeEnum.Int32,
  INT2: ColumnTypeEnum.Int32,
  BIGINT: ColumnTypeEnum.Int64,
  'UNSIGNED BIG INT': ColumnTypeEnum.Int64,
  INT8: ColumnTypeEnum.Int64,
  DATETIME: ColumnTypeEnum.DateTime,
  TIMESTAMP: ColumnTypeEnum.DateTime,
  TIME: ColumnTypeEnum.Time,
  DATE: ColumnTypeEnum.Date,
  TEXT: ColumnTypeEnum.Text,
  CLOB: ColumnTypeEnum.Text,
  CHARACTER: ColumnTypeEnum.Text,
  VARCHAR: ColumnTypeEnum.Text,
  'VARYING CHARACTER': ColumnTypeEnum.Text,
  NCHAR: ColumnTypeEnum.Text,
  'NATIVE CHARACTER': ColumnTypeEnum.Text,
  NVARCHAR: ColumnTypeEnum.Text,
  BLOB: ColumnTypeEnum.Bytes,
  BOOLEAN: ColumnTypeEnum.Boolean,
  JSONB: ColumnTypeEnum.Json,
};

/**
 * The type of each result column: its declared type where it has one, else (an expression, a
 * count) what its first non-null value is, else Int32.
 */
export function columnTypesOf(declared: readonly (string | null)[], rows: readonly unknown[][]): ColumnType[] {
  return declared.map((type, column) => {
    const known = type ? declaredTypes[type.toUpperCase()] : undefined;
    if (known !== undefined) return known;
    const value = rows.find((row) => row[column] !== null)?.[column];
    return value === undefined ? ColumnTypeEnum.Int32 : typeOfValue(value);
  });
}

function typeOfValue(value: unknown): ColumnType {
  if (typeof value === 'string') return ColumnTypeEnum.Text;
  if (typeof value === 'bigint') return ColumnTypeEnum.Int64;
  if (typeof value === 'number') return ColumnTypeEnum.UnknownNumber;
  if (value instanceof Uint8Array) return ColumnTypeEnum.Bytes;
  throw new Error(`SQLite returned a value of an unexpected type: ${typeof value}`);
}

/** `row` as Prisma reads it: integers as numbers (as text beyond 2^53), dates stored as numbers as ISO text. */
export function toPrismaRow(row: unknown[], types: readonly ColumnType[]): unknown[] {
  return row.map((value, column) => {
    const type = types[column];
    if (typeof value === 'number' && (type === ColumnTypeEnum.Int32 || type === ColumnTypeEnum.Int64))
      return Math.trunc(value);
    if ((typeof value === 'number' || typeof value === 'bigint') && type === ColumnTypeEnum.DateTime)
      return new Date(Number(value)).toISOString();
    if (typeof value === 'bigint') {
      const number = Number(value);
      return Number.isSafeInteger(number) ? number : value.toString();
    }
    return value;
  });
}

// The primary result code of SQLite's "busy" family (SQLITE_BUSY_SNAPSHOT and the like).
const SQLITE_BUSY = 5;

/** An error better-sqlite3 threw, as the driver adapter error Prisma turns into its own codes. */
export function toDriverAdapterError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return error;
  return new DriverAdapterError({ originalCode: code, originalMessage: message, ...mappedError(code, message) });
}

/** Whether `error` (as toDriverAdapterError made it) is SQLite finding the database locked by another connection. */
export function isLockedError(error: unknown): boolean {
  return error instanceof DriverAdapterError && error.cause.kind === 'SocketTimeout';
}

function mappedError(code: string, message: string): DriverError {
  // "UNIQUE constraint failed: Post.slug" names table.column, comma-separated.
  const columns = message.split('constraint failed: ')[1]?.split(', ');
  const fields = columns?.map((column) => column.split('.').pop() ?? column);
  switch (code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return {
        kind: 'UniqueConstraintViolation',
        constraint: fields ? { fields } : undefined,
        table: columns?.[0]?.split('.').slice(0, -1).join('.') || undefined,
      };
    case 'SQLITE_CONSTRAINT_NOTNULL':
      return { kind: 'NullConstraintViolation', constraint: fields ? { fields } : undefined };
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
    case 'SQLITE_CONSTRAINT_TRIGGER':
      return { kind: 'ForeignKeyConstraintViolation', constraint: { foreignKey: {} } };
  }
  // better-sqlite3 names the codes it knows; others come as UNKNOWN_SQLITE_ERROR_<number>.
  const unnamed = /^UNKNOWN_SQLITE_ERROR_(\d+)$/.exec(code);
  const extendedCode = unnamed ? Number(unnamed[1]) : undefined;
  if (code.startsWith('SQLITE_BUSY') || (extendedCode !== undefined && (extendedCode & 0xff) === SQLITE_BUSY))
    return { kind: 'SocketTimeout' };
  if (message.startsWith('no such table: ')) return { kind: 'TableDoesNotExist', table: message.slice(15) };
  if (message.startsWith('no such column: ')) return { kind: 'ColumnNotFound', column: message.slice(16) };
  const missingColumn = message.split('has no column named ')[1];
  if (missingColumn) return { kind: 'ColumnNotFound', column: missingColumn };
  return { kind: 'sqlite', extendedCode: extendedCode ?? 1, message };
}
