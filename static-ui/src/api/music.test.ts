import { describe, expect, it } from 'vitest';
import { audioType, bucketName } from './music';

describe('a music file chosen for upload', () => {
  it('is MP3 or WAV by its extension and the type the browser gives', () => {
    expect(audioType({ name: 'hold.mp3', type: 'audio/mpeg' })).toBe('audio/mpeg');
    expect(audioType({ name: 'HOLD.MP3', type: '' })).toBe('audio/mpeg');
    expect(audioType({ name: 'hold.wav', type: 'audio/x-wav' })).toBe('audio/wav');
    expect(audioType({ name: 'hold.wav', type: 'audio/wav' })).toBe('audio/wav');
    expect(audioType({ name: 'notes.txt', type: 'text/plain' })).toBeNull();
    expect(audioType({ name: 'song.ogg', type: 'audio/ogg' })).toBeNull();
    expect(audioType({ name: 'page.mp3', type: 'text/html' })).toBeNull();
  });

  it('is sent under a name of letters, digits, - _ and its extension', () => {
    expect(bucketName('hold-music_2.mp3')).toBe('hold-music_2.mp3');
    expect(bucketName('保留音.MP3')).toBe('audio.mp3');
    expect(bucketName('お待ち music (1).wav')).toBe('music_1.wav');
    expect(bucketName('a'.repeat(200) + '.wav')).toBe('a'.repeat(80) + '.wav');
  });
});
