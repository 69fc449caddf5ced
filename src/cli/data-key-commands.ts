/**
 * The commands of `npm run data-key -- <command>` (src/cli/data-key.ts runs them): encryption
 * at rest with DATA_KEY.
 *
 *   new      prints a fresh key for DATA_KEY (base64 of 32 random bytes)
 *   status   how many files each key sealed, and which files are plain
 *   rotate   with DATA_KEY=new and DATA_KEY_PREVIOUS=old: seals every record and upload with
 *            the new key; only while the server is stopped; safe to run again after a crash
 *
 * Keys are never printed, only their ids (the first 8 bytes of a hash of the key).
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CliIo } from '../clerk/commands.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { SPEECH_CACHE_DIR } from '../speech/cache.js';
import { AesGcmCipher, generateDataKey } from '../store/cipher.js';
import { DiskFileStore } from '../store/files.js';
import { resealDataFiles, surveyDataFiles } from '../store/rekey.js';
import { runningServer, SERVER_MARK_FILE } from '../store/running.js';
import { findProjectRoot } from '../web/bundle.js';

const UPLOADS_DIR = 'uploads';

const USAGE = `用法 / Usage: npm run data-key -- <command>

  new      生成新密钥（放进 DATA_KEY）/ print a fresh key for DATA_KEY
  status   每个密钥加密了多少文件，哪些文件没加密 / how many files each key sealed, which are plain
  rotate   用 DATA_KEY 重新加密全部记录和上传文件（DATA_KEY_PREVIOUS 为旧密钥；须先停服务器）
           / re-seal every record and upload with DATA_KEY (old key in DATA_KEY_PREVIOUS; server stopped)

例 / Example: npm run -s data-key -- new
`;

export async function runDataKeyCommand(argv: string[], io: Pick<CliIo, 'stdout' | 'stderr' | 'env'>): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || rest.length > 0 || !['new', 'status', 'rotate'].includes(command)) {
    io.stderr.write(USAGE);
    return 2;
  }
  if (command === 'new') {
    io.stdout.write(`${generateDataKey()}\n`);
    io.stderr.write('把它设为 DATA_KEY，并另外安全保存；丢了密钥，数据就再也打不开。/ Set it as DATA_KEY and keep a copy somewhere safe: without the key the data cannot be read.\n');
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(io.env, findProjectRoot());
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (!existsSync(config.dataDir)) {
    io.stderr.write(`没有数据目录 ${config.dataDir}。/ There is no data folder ${config.dataDir}; check DATA_DIR.\n`);
    return 1;
  }
  const cipher = config.dataKeys ? new AesGcmCipher(config.dataKeys) : undefined;
  return command === 'status' ? status(config, cipher, io) : rotate(config, cipher, io);
}

function describeKeys(config: Config, cipher: AesGcmCipher | undefined): Map<string, string> {
  const names = new Map<string, string>();
  if (!cipher || !config.dataKeys) return names;
  names.set(cipher.currentKeyId, 'DATA_KEY');
  for (const id of config.dataKeys.toJSON().previous) names.set(id, 'DATA_KEY_PREVIOUS');
  return names;
}

async function status(config: Config, cipher: AesGcmCipher | undefined, io: Pick<CliIo, 'stdout'>): Promise<number> {
  const survey = await surveyDataFiles(config.dataDir, cipher);
  const names = describeKeys(config, cipher);
  io.stdout.write(`${config.dataDir}\n`);
  if (survey.sealedBy.size === 0) io.stdout.write('  没有加密的文件。/ No sealed files.\n');
  for (const [id, count] of survey.sealedBy) {
    io.stdout.write(`  key ${id} (${names.get(id) ?? '未知 / unknown'}): ${count} file(s)\n`);
  }
  if (survey.plain.length > 0) {
    io.stdout.write(`  未加密 / plain (${survey.plain.length}):\n`);
    for (const file of survey.plain) io.stdout.write(`    ${file}\n`);
  }
  return 0;
}

async function rotate(config: Config, cipher: AesGcmCipher | undefined, io: Pick<CliIo, 'stdout' | 'stderr'>): Promise<number> {
  if (!cipher) {
    io.stderr.write('请把新密钥设为 DATA_KEY，旧密钥设为 DATA_KEY_PREVIOUS。/ Set the new key as DATA_KEY and the old one as DATA_KEY_PREVIOUS.\n');
    return 1;
  }
  const pid = await runningServer(config.dataDir);
  if (pid !== undefined) {
    io.stderr.write(
      `服务器（进程 ${pid}）正在使用 ${config.dataDir}，请先停止它。/ A server (process ${pid}) is using ${config.dataDir}; stop it first. `
      + `If no server runs, delete ${path.join(config.dataDir, SERVER_MARK_FILE)}.\n`,
    );
    return 1;
  }
  // Its entries are named by a hash keyed with DATA_KEY, so under a new key none would be
  // found again; it is a cache, and emptying it is the rotation.
  const cacheDir = path.join(config.dataDir, SPEECH_CACHE_DIR);
  const cached = await readdir(cacheDir).catch(() => [] as string[]);
  for (const name of cached) await rm(path.join(cacheDir, name), { force: true, recursive: true });

  const uploads = await (await DiskFileStore.open(config.dataDir, undefined, cipher)).resealAll(cipher);
  const records = await resealDataFiles(config.dataDir, cipher, [UPLOADS_DIR, SPEECH_CACHE_DIR]);
  const unreadable = [...uploads.unreadable, ...records.unreadable];
  io.stdout.write(
    `已用 DATA_KEY（${cipher.currentKeyId}）重新加密 ${uploads.resealed + records.resealed} 个文件，${uploads.unchanged + records.unchanged} 个已是新密钥；清空语音缓存 ${cached.length} 项。\n`
    + `Re-sealed ${uploads.resealed + records.resealed} file(s) with DATA_KEY (${cipher.currentKeyId}); ${uploads.unchanged + records.unchanged} already were; emptied ${cached.length} speech cache entries.\n`,
  );
  if (unreadable.length > 0) {
    io.stderr.write('这些文件打不开，原样保留 / These files could not be opened and were left as they are:\n');
    for (const { file, reason } of unreadable) io.stderr.write(`  ${file}: ${reason}\n`);
    io.stderr.write('把加密它们的旧密钥加进 DATA_KEY_PREVIOUS 后再运行一次。/ Add the key that sealed them to DATA_KEY_PREVIOUS and run again.\n');
    return 1;
  }
  const survey = await surveyDataFiles(config.dataDir, cipher, [SPEECH_CACHE_DIR]);
  const left = [...survey.sealedBy].filter(([id]) => id !== cipher.currentKeyId);
  if (left.length > 0) {
    io.stderr.write(`仍有文件不是新密钥加密的 / Files still under another key: ${left.map(([id, n]) => `${id}: ${n}`).join(', ')}; run again.\n`);
    return 1;
  }
  if (survey.plain.length > 0) {
    io.stdout.write(
      `这些文件还没加密；用 DATA_KEY 启动一次服务器会加密记录 / Still plain; starting the server with DATA_KEY seals the records:\n${survey.plain.map((f) => `  ${f}\n`).join('')}`,
    );
  }
  io.stdout.write('完成。确认无误后可以去掉 DATA_KEY_PREVIOUS。/ Done. DATA_KEY_PREVIOUS is no longer needed for this folder.\n');
  return 0;
}
