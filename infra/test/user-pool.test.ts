/**
 * The users function manages the Cognito user pool as an admin would: these tests keep that
 * power exact. Its catalog entry lists the Cognito actions it needs; both templates grant
 * exactly those, on the user pool only, to that function only, and tell it which pool it is.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CATALOG_PATH, loadCatalog } from '../lib/function-catalog';
import {
  Json,
  actionsOf,
  asArray,
  catalog,
  cdkFunctionIds,
  cdkRoleStatements,
  defaultStack,
  loadSam,
  ofType,
  refTarget,
  samFunctionIds,
  samFunctionProps,
  samStatements,
} from './helpers';

/** What listing, inviting, re-roling, disabling and enabling users needs, and nothing else. */
const USER_ADMIN_ACTIONS = [
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminDisableUser',
  'cognito-idp:AdminEnableUser',
  'cognito-idp:AdminGetUser',
  'cognito-idp:AdminListGroupsForUser',
  'cognito-idp:AdminRemoveUserFromGroup',
  'cognito-idp:AdminUserGlobalSignOut',
  'cognito-idp:ListUsers',
  'cognito-idp:ListUsersInGroup',
];

const cdk = defaultStack();
const cdkIds = cdkFunctionIds(cdk);
const sam = loadSam();
const samIds = samFunctionIds(sam);
const idIn = (ids: Map<string, string>, name: string) => [...ids].find(([, n]) => n === name)![0];
const poolId = ofType(cdk.resources, 'AWS::Cognito::UserPool')[0][0];

function withCatalogChange(change: (catalog: Json) => void): string {
  const broken = JSON.parse(fs.readFileSync(CATALOG_PATH, 'utf8'));
  change(broken);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
  const file = path.join(dir, 'functions.json');
  fs.writeFileSync(file, JSON.stringify(broken));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return file;
}

describe('user pool administration', () => {
  it('is given to the users function alone, with exactly the actions it needs', () => {
    const withPool = catalog.functions.filter((fn) => fn.userPool !== undefined);
    assert.deepEqual(
      withPool.map((fn) => fn.name),
      ['users'],
    );
    assert.deepEqual([...withPool[0].userPool!.actions].sort(), USER_ADMIN_ACTIONS);
  });

  it('refuses a catalog with a wildcard, another service or an empty list as user pool actions', () => {
    const users = (c: Json) => c.functions.find((fn: Json) => fn.name === 'users');
    for (const [actions, message] of [
      [['cognito-idp:*'], /not an exact Cognito/],
      [['cognito-idp:Admin*'], /not an exact Cognito/],
      [['iam:PassRole'], /not an exact Cognito/],
      [[], /must list Cognito actions/],
      [['cognito-idp:ListUsers', 'cognito-idp:ListUsers'], /twice/],
    ] as [string[], RegExp][]) {
      const file = withCatalogChange((c) => {
        users(c).userPool.actions = actions;
      });
      assert.throws(() => loadCatalog(file), message, JSON.stringify(actions));
    }
  });

  it('CDK grants those actions on the user pool only, and no Cognito action to any other function', () => {
    for (const fn of catalog.functions) {
      const statements = cdkRoleStatements(cdk.resources, idIn(cdkIds, fn.name));
      const cognito = statements.filter((st) => asArray<string>(st.Action).some((a) => a.startsWith('cognito-idp:')));
      if (fn.name !== 'users') {
        assert.deepEqual(cognito, [], `${fn.name} has no Cognito permission`);
        continue;
      }
      assert.equal(cognito.length, 1, 'one statement');
      assert.equal(cognito[0].Effect, 'Allow');
      assert.deepEqual([...asArray<string>(cognito[0].Action)].sort(), USER_ADMIN_ACTIONS);
      assert.deepEqual(asArray(cognito[0].Resource), [{ 'Fn::GetAtt': [poolId, 'Arn'] }], 'the pool, not *');
    }
  });

  it('CDK tells the users function which pool it manages', () => {
    const env = cdk.resources[idIn(cdkIds, 'users')].Properties.Environment.Variables;
    assert.deepEqual(env.USER_POOL_ID, { Ref: poolId });
  });

  it('SAM grants the same actions on its user pool, to the users function alone, and names the pool', () => {
    for (const fn of catalog.functions) {
      const id = idIn(samIds, fn.name);
      const statements = samStatements(sam, id);
      const cdkStatements = cdkRoleStatements(cdk.resources, idIn(cdkIds, fn.name));
      assert.deepEqual(actionsOf(statements, 'cognito-idp:'), actionsOf(cdkStatements, 'cognito-idp:'), fn.name);
      const env = samFunctionProps(sam, id).Environment.Variables;
      if (fn.name !== 'users') {
        assert.equal(env.USER_POOL_ID, undefined, fn.name);
        continue;
      }
      const cognito = statements.filter((st) => asArray<string>(st.Action).some((a) => a.startsWith('cognito-idp:')));
      assert.equal(cognito.length, 1);
      assert.equal(refTarget(cognito[0].Resource), 'OperatorUserPool');
      assert.deepEqual(cognito[0].Resource, { 'Fn::GetAtt': 'OperatorUserPool.Arn' });
      assert.equal(refTarget(env.USER_POOL_ID), 'OperatorUserPool');
    }
  });
});
