//! Hold and wait music uploaded by an admin into the page's bucket: the settings function says
//! where to PUT the file (a presigned S3 URL, valid five minutes), the file goes there straight
//! from the browser, and the line's `waiting` setting then names its path. Only the admin page
//! (a chunk loaded on demand) imports this.

import { post } from './client';
import type { components } from './schema.gen';

type UploadTarget = components['schemas']['UploadTarget'];

/** The largest file the API accepts. */
export const MAX_BYTES = 10 * 1024 * 1024;

/** The file's audio type as the API accepts it, by its extension and the type the browser gives (if any). */
export function audioType(file: { name: string; type: string }): string | null {
  const ext = file.name.toLowerCase().split('.').pop();
  if (ext === 'mp3' && ['', 'audio/mpeg', 'audio/mp3'].includes(file.type)) return 'audio/mpeg';
  if (ext === 'wav' && ['', 'audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'].includes(file.type)) return 'audio/wav';
  return null;
}

/** A name the bucket accepts (letters, digits, - _ .): others become _, e.g. 保留音.mp3 → audio.mp3. */
export function bucketName(name: string): string {
  const dot = name.lastIndexOf('.');
  const base = name.slice(0, dot).replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80);
  return `${/[A-Za-z0-9]/.test(base) ? base : 'audio'}${name.slice(dot).toLowerCase()}`;
}

/** Where to PUT a hold or wait music file (admins only; 422 with what to fix). */
export const musicUpload = (file_name: string, content_type: string, size: number) =>
  post<UploadTarget>('/api/settings/music-upload', { file_name, content_type, size });

/**
 * Sends the file to the URL the API gave (the page bucket's presigned PUT; locally the
 * runtime's own port), reporting progress from 0 to 1. Resolves when the bucket has it.
 */
export function putMusic(target: UploadTarget, file: Blob, progress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.upload_url);
    xhr.setRequestHeader('content-type', target.headers['content-type']);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) progress(e.loaded / e.total);
    };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`HTTP ${xhr.status}`)));
    xhr.onerror = () => reject(new Error('network'));
    xhr.send(file);
  });
}
