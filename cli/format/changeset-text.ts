/**
 * A ChangeSet for people: route by route, traffic shares as `provider/model  60% → 30%`, then
 * providers, credentials and audit. Values arrive masked from the ChangeSet; nothing is masked here.
 */
import type { ChangeKind, ChangeSet, ChangeValue, FieldChange, ShareChange } from '../../runtime/manifest/changeset.js';
import { palette, type Palette } from './diagnostics-palette.js';

const MARK: Readonly<Record<ChangeKind, string>> = { added: '+', removed: '-', changed: '~' };

export function renderChangeSetText(changes: ChangeSet, options: { color: boolean; before: string; after: string }): string {
  const paint = palette(options.color);
  const mark = (kind: ChangeKind): string => {
    const symbol = MARK[kind];
    return kind === 'added' ? paint.green(symbol) : kind === 'removed' ? paint.red(symbol) : paint.yellow(symbol);
  };
  const lines: string[] = [paint.dim(`--- ${options.before}`), paint.dim(`+++ ${options.after}`)];
  if (!changes.changed) {
    lines.push('no changes');
    return `${lines.join('\n')}\n`;
  }
  for (const route of changes.routes) {
    lines.push(`${mark(route.kind)} route ${paint.bold(route.name)}`);
    // A removed route takes its targets with it; listing them again adds nothing.
    if (route.kind === 'removed') continue;
    if (route.shares.length > 0) {
      lines.push('    traffic share (first pick):');
      lines.push(...shareLines(route.shares, route.kind, paint));
    }
    for (const target of route.targets) {
      const details = target.kind === 'changed'
        ? `: ${target.fields.map(describeChange).join(', ')}`
        : target.kind === 'added' ? ` (${target.fields.map((field) => `${field.field} ${format(field.after)}`).join(', ')})` : '';
      lines.push(`    ${mark(target.kind)} target ${target.target}${details}`);
    }
    lines.push(...fieldLines(route.fields, route.kind));
  }
  for (const provider of changes.providers) {
    lines.push(`${mark(provider.kind)} provider ${paint.bold(provider.id)}`);
    lines.push(...fieldLines(provider.fields, provider.kind));
  }
  for (const credential of changes.credentials) {
    lines.push(`${mark(credential.kind)} credential ${paint.bold(credential.id)}`);
    lines.push(...fieldLines(credential.fields, credential.kind));
  }
  if (changes.audit.length > 0) {
    lines.push(`${mark('changed')} audit`);
    lines.push(...fieldLines(changes.audit, 'changed'));
  }
  lines.push(summary(changes));
  return `${lines.join('\n')}\n`;
}

function shareLines(shares: readonly ShareChange[], kind: ChangeKind, paint: Palette): string[] {
  const width = Math.max(...shares.map((share) => share.target.length));
  return shares.map((share) => {
    const name = share.target.padEnd(width);
    if (kind === 'added') return `      ${name}  ${percent(share.after)}`;
    const arrow = share.after > share.before ? paint.green('→') : paint.red('→');
    return `      ${name}  ${percent(share.before)} ${arrow} ${percent(share.after)}`;
  });
}

/** Added and removed entities list their settings once; changed ones show before → after. */
function fieldLines(fields: readonly FieldChange[], kind: ChangeKind): string[] {
  if (kind === 'removed') return [];
  return fields.map((field) => (kind === 'added' ? `    ${field.field}: ${format(field.after)}` : `    ${describeChange(field)}`));
}

function describeChange(field: FieldChange): string {
  if (field.before === undefined) return `${field.field}: (unset) → ${format(field.after)}`;
  if (field.after === undefined) return `${field.field}: ${format(field.before)} → (unset)`;
  const note = field.maskedChange === true ? ' (value changed)' : '';
  return `${field.field}: ${format(field.before)} → ${format(field.after)}${note}`;
}

function format(value: ChangeValue | undefined): string {
  if (value === undefined) return '(unset)';
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return String(value);
}

function percent(value: number): string {
  return `${value}%`;
}

function summary(changes: ChangeSet): string {
  const parts: string[] = [];
  const count = (items: readonly { kind: ChangeKind }[], noun: string): void => {
    for (const kind of ['added', 'removed', 'changed'] as const) {
      const total = items.filter((item) => item.kind === kind).length;
      if (total > 0) parts.push(`${total} ${noun}${total === 1 ? '' : 's'} ${kind}`);
    }
  };
  count(changes.routes, 'route');
  count(changes.providers, 'provider');
  count(changes.credentials, 'credential');
  if (changes.audit.length > 0) parts.push('audit changed');
  return parts.join(', ');
}
