/**
 * The ajv adapter (the only provisioner file importing ajv): compiles a JSON Schema 2020-12 once and
 * validates data against it with `allErrors`, returning issues in our own shape. `verbose` is on so each
 * issue carries the schema object it failed (for did-you-mean over the allowed property names).
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';

export interface SchemaIssue {
  /** ajv keyword: additionalProperties, required, type, enum, const, pattern, minimum, … */
  readonly keyword: string;
  /** JSON pointer of the failing value */
  readonly instancePath: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message: string;
  /** the (sub)schema containing the failed keyword */
  readonly parentSchema: Readonly<Record<string, unknown>> | undefined;
  /** the failed keyword's value in the schema (e.g. the const, the enum list, the pattern) */
  readonly schema: unknown;
  /** for `propertyNames` failures: the offending property name */
  readonly propertyName: string | undefined;
}

export type SchemaValidator = (data: unknown) => readonly SchemaIssue[];

/**
 * `checkSchema` also validates the schema itself against the 2020-12 meta-schema (a test does; at run time
 * it would double the compile time of a file that ships with scmctl). Refs are compiled as functions
 * rather than inlined and codegen optimisation is off: both make the one-off compile faster, the
 * validation of a topology does not measurably change.
 */
export function compileSchema(schema: Readonly<Record<string, unknown>>, options: { readonly checkSchema?: boolean } = {}): SchemaValidator {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    allowUnionTypes: true,
    validateSchema: options.checkSchema ?? false,
    inlineRefs: false,
    code: { optimize: false },
  });
  const validate = ajv.compile(schema);
  return (data) => {
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e: ErrorObject) => ({
      keyword: e.keyword,
      instancePath: e.instancePath,
      params: e.params as Record<string, unknown>,
      message: e.message ?? e.keyword,
      parentSchema: e.parentSchema as Record<string, unknown> | undefined,
      schema: e.schema,
      propertyName: e.propertyName,
    }));
  };
}
