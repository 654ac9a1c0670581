//! Hold and wait music uploaded by an admin into the page's bucket: the settings function says
//! where to PUT the file (a presigned S3 URL, valid five minutes), the file goes there straight
//! from the browser, and the line's `waiting` setting then names its path. Only the admin page
//! (a chunk loaded on demand) imports this.

import { post } from './client';
import type { components } from './schema.gen';

type UploadTarget = components['schemas']['UploadTarget'];

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
