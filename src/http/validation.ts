import { FormatRegistry, type TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import type { FastifyInstance } from "fastify";
import { ErrorCodes, VigilError } from "../core/errors.js";

/**
 * HTTP input is checked by TypeBox, the library that checks the config: one schema language and
 * one validator. Query strings and params arrive as strings, so they are converted first; bodies
 * are taken as they are (a JSON body with `"5"` for a number is wrong, not coerced). The 400 names
 * the field, e.g. `body/password`.
 */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

// TypeBox knows no string formats until they are registered; an unknown one fails every value.
if (!FormatRegistry.Has("date-time"))
  FormatRegistry.Set("date-time", (v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));

export function useTypeBoxValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const compiled = TypeCompiler.Compile(schema as TSchema);
    const part = httpPart ?? "body";
    const convert = part === "querystring" || part === "params" || part === "headers";
    return (data: unknown) => {
      const value = convert
        ? Value.Convert(schema as TSchema, Value.Default(schema as TSchema, Value.Clone(data)))
        : Value.Default(schema as TSchema, Value.Clone(data));
      if (compiled.Check(value)) return { value };
      const first = compiled.Errors(value).First();
      const field = `${part}${first?.path ?? ""}`;
      return {
        error: new VigilError(ErrorCodes.VALIDATION, `${field}: ${first?.message ?? "invalid"}`, {
          details: { field },
        }),
      };
    };
  });
}
