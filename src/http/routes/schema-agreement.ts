// Compile-time agreement between a TypeBox response schema and the hand-written type of what a
// route returns: the schema is what the OpenAPI document (and the console's types) promise, the
// type is what the code produces, and neither may drift from the other unnoticed.

/** `Static<>` gives mutable arrays; the producers' types are readonly: compare without that. */
export type DeepReadonly<T> =
  T extends ReadonlyArray<infer E>
    ? ReadonlyArray<DeepReadonly<E>>
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** Compiles only when every value of `Produced` is a value the schema's type `Promised` describes. */
export type Describes<Promised, Produced extends DeepReadonly<Promised>> = Produced;

/** `true` when the two describe the same values (both directions); use as `Assert<Agree<A, B>>`. */
export type Agree<A, B> = [A] extends [DeepReadonly<B>] ? ([B] extends [DeepReadonly<A>] ? true : false) : false;
export type Assert<T extends true> = T;
