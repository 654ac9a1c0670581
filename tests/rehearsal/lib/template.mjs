// CloudFormation as the rehearsal reads it: a template's resources in the order CloudFormation
// would create them (every Ref, Fn::GetAtt, Fn::Sub reference and DependsOn is an edge), and the
// intrinsic functions resolved against the values the rehearsal gave each resource. A function
// this file does not know stops the rehearsal with its name: nothing is guessed.

/** Pseudo parameters, as CloudFormation fills them for one stack. */
export function pseudoParameters({ region, accountId, stackName }) {
  return {
    'AWS::Region': region,
    'AWS::AccountId': accountId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
    'AWS::StackId': `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/00000000-0000-4000-8000-000000000000`,
    'AWS::NotificationARNs': [],
  };
}

/** Names a value references: `Ref` targets, `Fn::GetAtt` resources and `${…}` in `Fn::Sub`. */
export function references(value, out = new Set()) {
  if (Array.isArray(value)) {
    for (const v of value) references(v, out);
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') out.add(v);
      else if (key === 'Fn::GetAtt') out.add(Array.isArray(v) ? v[0] : String(v).split('.')[0]);
      else if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(v) ? v : [v, {}];
        for (const m of String(text).matchAll(/\$\{([^}!]+)\}/g)) {
          const name = m[1].split('.')[0];
          if (!(vars && name in vars)) out.add(name);
        }
        if (vars) references(vars, out);
      } else references(v, out);
    }
  }
  return out;
}

/** Logical ids in creation order (dependencies first), failing on a cycle. */
export function creationOrder(template) {
  const resources = template.Resources ?? {};
  const names = Object.keys(resources);
  const deps = new Map();
  for (const name of names) {
    const r = resources[name];
    const d = new Set([...references(r.Properties ?? {}), ...[r.DependsOn ?? []].flat()]);
    if (r.Condition) for (const c of references(template.Conditions?.[r.Condition] ?? {})) d.add(c);
    deps.set(name, [...d].filter((n) => n in resources && n !== name));
  }
  const order = [];
  const state = new Map();
  const visit = (name, path) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`circular dependency: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const d of deps.get(name)) visit(d, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of names) visit(name, []);
  return order;
}

/**
 * Resolves intrinsic functions. `ctx.refs` maps logical ids and parameters to their `Ref` value,
 * `ctx.attrs` maps logical ids to `{Attribute: value}`; pseudo parameters come from `ctx.pseudo`.
 */
export function resolve(value, ctx, where = 'template') {
  if (Array.isArray(value)) {
    return value.map((v, i) => resolve(v, ctx, `${where}[${i}]`)).filter((v) => v !== NO_VALUE);
  }
  if (!value || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
    return intrinsic(keys[0], value[keys[0]], ctx, where);
  }
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const r = resolve(v, ctx, `${where}.${k}`);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

const NO_VALUE = Symbol('AWS::NoValue');

function ref(name, ctx, where) {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name in ctx.pseudo) return ctx.pseudo[name];
  if (ctx.refs.has(name)) return ctx.refs.get(name);
  throw new Error(`${where}: Ref ${name} names nothing the rehearsal has created yet`);
}

function getAtt(name, attribute, ctx, where) {
  const attrs = ctx.attrs.get(name);
  if (!attrs) throw new Error(`${where}: Fn::GetAtt ${name}.${attribute}: no such resource created`);
  if (!(attribute in attrs)) {
    throw new Error(`${where}: Fn::GetAtt ${name}.${attribute}: the rehearsal gives ${name} only ${Object.keys(attrs).join(', ') || 'no attributes'}`);
  }
  return attrs[attribute];
}

function condition(name, ctx, where) {
  const body = ctx.conditions?.[name];
  if (body === undefined) throw new Error(`${where}: unknown condition ${name}`);
  return Boolean(resolve(body, ctx, `Conditions.${name}`));
}

function intrinsic(fn, arg, ctx, where) {
  const here = `${where}.${fn}`;
  switch (fn) {
    case 'Ref':
      return ref(arg, ctx, here);
    case 'Fn::GetAtt': {
      const [name, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.+)/);
      return getAtt(name, resolve(attribute, ctx, here), ctx, here);
    }
    case 'Fn::Join': {
      const [sep, parts] = arg;
      return resolve(parts, ctx, here).join(sep);
    }
    case 'Fn::Sub': {
      const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
      const own = resolve(vars ?? {}, ctx, here);
      return String(text).replace(/\$\{(!?)([^}]+)\}/g, (_, bang, expr) => {
        if (bang) return `\${${expr}}`;
        if (expr in own) return own[expr];
        const dot = expr.indexOf('.');
        if (dot > 0 && !(expr in ctx.pseudo)) return getAtt(expr.slice(0, dot), expr.slice(dot + 1), ctx, here);
        return ref(expr, ctx, here);
      });
    }
    case 'Fn::Select': {
      const [index, list] = arg;
      const items = resolve(list, ctx, here);
      const i = Number(resolve(index, ctx, here));
      if (!(i >= 0 && i < items.length)) throw new Error(`${here}: index ${i} outside a list of ${items.length}`);
      return items[i];
    }
    case 'Fn::Split': {
      const [sep, text] = arg;
      return String(resolve(text, ctx, here)).split(sep);
    }
    case 'Fn::If': {
      const [name, yes, no] = arg;
      return resolve(condition(name, ctx, here) ? yes : no, ctx, here);
    }
    case 'Fn::Equals': {
      const [a, b] = resolve(arg, ctx, here);
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case 'Fn::Not':
      return !resolve(arg[0], ctx, here);
    case 'Fn::And':
      return arg.every((c) => resolve(c, ctx, here));
    case 'Fn::Or':
      return arg.some((c) => resolve(c, ctx, here));
    case 'Condition':
      return condition(arg, ctx, here);
    case 'Fn::Base64':
      return Buffer.from(String(resolve(arg, ctx, here))).toString('base64');
    case 'Fn::ToJsonString':
      return JSON.stringify(resolve(arg, ctx, here));
    default:
      throw new Error(`${here}: the rehearsal does not know ${fn}`);
  }
}

/** Whether a resource is created: no Condition, or its condition holds. */
export function isCreated(resource, ctx) {
  return !resource.Condition || condition(resource.Condition, ctx, 'Resources');
}

/** `ArnLike` matching of IAM and Lambda resource policies (`*` any run, `?` one character). */
export function arnLike(pattern, value) {
  const re = new RegExp(`^${String(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(value);
}
