// The two templates the rehearsal runs, as `tests/rehearse` prepared them: the CDK app's
// synthesised stack (cdk.out, with the page built) and the SAM template expanded by
// aws-sam-translator. Their account and region are the ones they were synthesised for.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cdkAssets, codeFromPath } from './provision.mjs';
import { repoRoot, startRehearsal } from './rehearsal.mjs';

export const targetDir = process.env.CARGO_TARGET_DIR ?? join(repoRoot, 'target');

/**
 * The people of the rehearsal, invited as an admin would invite them. The admin and the
 * supervisor 伊藤 have registered an authenticator (their roles need one); 森, a supervisor who
 * has not yet, signs in as an operator until they do.
 */
export const CAST = {
  admin: { email: 'admin@example.jp', name: '渡辺 管理者', password: 'Admin-rehearsal-1', groups: ['admin'], authenticator: true },
  sato: { email: 'sato@example.jp', name: '佐藤 花子', password: 'Sato-rehearsal-1', groups: ['operator'] },
  tanaka: { email: 'tanaka@example.jp', name: '田中 健太', password: 'Tanaka-rehearsal-1', groups: ['operator'] },
  ito: { email: 'ito@example.jp', name: '伊藤 直樹', password: 'Ito-rehearsal-1', groups: ['supervisor'], authenticator: true },
  mori: { email: 'mori@example.jp', name: '森 由美', password: 'Mori-rehearsal-1', groups: ['supervisor', 'operator'] },
  kato: { email: 'kato@example.jp', name: '加藤 誠', password: 'Kato-rehearsal-1', groups: ['operator'] },
};

/** Gives each person of the cast the authenticator secret they registered in this rehearsal. */
function withSecrets(r) {
  for (const person of Object.values(CAST)) person.totpSecret = r.secrets[person.email];
  return r;
}

function need(path, how) {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${how} (tests/rehearse prepares it)`);
  return path;
}

/** The CDK app's stack, with the first admin given as the deploy would give it. */
export async function startCdkRehearsal(log) {
  const cdkOut = need(process.env.REHEARSAL_CDK_OUT ?? join(repoRoot, 'infra', 'cdk.out'), 'cdk synth');
  const manifest = JSON.parse(readFileSync(join(cdkOut, 'manifest.json'), 'utf8'));
  const [stackName, artifact] = Object.entries(manifest.artifacts).find(([, a]) => a.type === 'aws:cloudformation:stack');
  const [, accountId, region] = /^aws:\/\/(\d+)\/(.+)$/.exec(artifact.environment);
  const template = JSON.parse(readFileSync(join(cdkOut, artifact.properties.templateFile), 'utf8'));
  const workDir = join(cdkOut, '..', 'rehearsal-assets');
  const { admin, ...others } = CAST;
  return withSecrets(
    await startRehearsal({
      template,
      stackName,
      region,
      accountId,
      parameters: { AdminEmail: admin.email, AdminName: admin.name },
      passwords: { [admin.email]: admin.password },
      authenticators: [admin.email],
      users: Object.values(others),
      assets: cdkAssets({ cdkOut, stackName, targetDir, workDir }),
      targetDir,
      log,
    }),
  );
}

/** The SAM template's back end (the page is the CDK app's only). */
export async function startSamRehearsal(log) {
  const file = need(process.env.REHEARSAL_SAM_TEMPLATE ?? join(repoRoot, 'infra', 'build', 'sam-translated.json'), 'tests/rehearsal/sam_translate.py');
  const template = JSON.parse(readFileSync(file, 'utf8'));
  const code = template.Rehearsal?.code ?? {};
  delete template.Rehearsal;
  const { admin, ...others } = CAST;
  const r = await startRehearsal({
    template,
    stackName: 'OperatorConsoleSam',
    region: 'ap-northeast-1',
    accountId: '123456789012',
    parameters: {
      PageOrigin: 'https://d111111abcdef8.cloudfront.net',
      CognitoDomainPrefix: 'operatorconsole-rehearsal',
      AdminEmail: admin.email,
      AdminName: admin.name,
    },
    passwords: { [admin.email]: admin.password },
    authenticators: [admin.email],
    users: Object.values(others),
    assets: {
      functionCode(id) {
        const c = code[id];
        if (!c) return { kind: 'none', reason: `${id} has no CodeUri the rehearsal recorded` };
        return codeFromPath(c.path, targetDir, id, c.binary ?? undefined);
      },
      bucketAsset(key) {
        throw new Error(`the SAM template deploys no bucket content (${key})`);
      },
    },
    targetDir,
    log,
  });
  return withSecrets(r);
}

