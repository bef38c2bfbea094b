/**
 * A real nginx (Debian's) in front of app servers, configured from deploy/nginx.conf with the given
 * ports, in a folder of its own: the multi-server test and the benchmark both run it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fromRoot } from '../src/paths.js';

export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));

/** deploy/nginx.conf with these ports: the upstream lines replaced, the listen address set. */
export function nginxSite(listen: number, upstreams: number[]): string {
  return readFileSync(fromRoot('deploy', 'nginx.conf'), 'utf8')
    .replace(/^(\s*)server 127\.0\.0\.1:\d+.*$/m, (_line, indent: string) =>
      upstreams.map((port) => `${indent}server 127.0.0.1:${port} max_fails=1 fail_timeout=2s;`).join('\n'),
    )
    .replace(/^\s*server 127\.0\.0\.1:300\d.*\n/gm, '')
    .replace(/listen 8080;/, `listen 127.0.0.1:${listen};`);
}

const answers = (url: string): Promise<number> =>
  new Promise((resolve) => {
    request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', () => resolve(0))
      .end();
  });

/** Starts nginx in `dir` and resolves once it proxies /healthz to an app server (which must be up). */
export function startNginx(dir: string, listen: number, upstreams: number[], workers = 1): Promise<ChildProcess> {
  if (!NGINX) throw new Error('nginx is not installed: apt-get install nginx');
  writeFileSync(join(dir, 'site.conf'), nginxSite(listen, upstreams));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes ${workers};
     error_log ${join(dir, 'error.log')} warn;
     pid ${join(dir, 'nginx.pid')};
     events { worker_connections 4096; }
     http {
       access_log off;
       client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
       fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
       include ${join(dir, 'site.conf')};
     }`,
  );
  const nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    const failed = (code: number | null) =>
      reject(new Error(`nginx exited (${code}): ${readFileSync(join(dir, 'error.log'), 'utf8')}`));
    nginx.once('exit', failed);
    const probe = async (): Promise<void> => {
      if ((await answers(`http://127.0.0.1:${listen}/healthz`)) === 200) {
        nginx.off('exit', failed);
        resolve(nginx);
      } else setImmediate(() => void probe());
    };
    void probe();
  });
}
