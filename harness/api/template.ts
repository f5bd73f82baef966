/**
 * Template (template.openshift.io/v1): schema and parameter checks. The
 * objects inside are validated only after processing (processTemplate.ts). Public.
 */
import { z } from 'zod';
import { head, typed } from './common.ts';
import { parseExpression } from './generateExpression.ts';
import { join, type FieldIssue } from './issues.ts';
import type { Template, TemplateParameter } from './types.ts';

export const templateParameterSchema = typed<TemplateParameter>()(
  z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9_]+$/, { error: (iss) => `invalid parameter name "${String(iss.input)}": use letters, digits and _` }),
    description: z.string().optional(),
    displayName: z.string().optional(),
    value: z.string().optional(),
    generate: z.literal('expression').optional(),
    from: z.string().optional(),
    required: z.boolean().optional(),
  }),
);

export const templateSchema = typed<Template>()(
  z.strictObject({
    ...head('template.openshift.io/v1', 'Template'),
    objects: z.array(z.custom<object>((v) => v !== null && typeof v === 'object' && !Array.isArray(v))),
    parameters: z.array(templateParameterSchema).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    message: z.string().optional(),
  }),
);

/** Unique parameter names; `generate` needs a parsable `from`. Public. */
export function checkTemplate(t: Template): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  t.parameters?.forEach((p, i) => {
    const at = join('parameters', i);
    // openshift/openshift-apiserver pkg/template/apis/template/validation ValidateParameter.
    if (!/^[A-Za-z0-9_]+$/.test(p.name)) issues.push({ path: join(at, 'name'), message: `Invalid value: "${p.name}": does not match [a-zA-Z0-9_]+` });
    if (p.generate !== undefined && p.generate !== 'expression') {
      issues.push({ path: join(at, 'generate'), message: `Unsupported value: "${String(p.generate)}": supported values: "expression"` });
    }
    if (seen.has(p.name)) issues.push({ path: join(at, 'name'), message: `duplicate parameter "${p.name}"` });
    seen.add(p.name);
    if (p.generate === 'expression') {
      if (p.from === undefined) issues.push({ path: join(at, 'from'), message: 'generate: expression needs from' });
      else {
        const e = parseExpression(p.from);
        if (!e.ok) issues.push({ path: join(at, 'from'), message: e.message });
      }
    }
  });
  return issues;
}
