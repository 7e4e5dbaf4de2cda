/**
 * Drag-and-drop or picker, several files at once. Files are sent one after the other (imports into one session
 * database are serialized on the server anyway, and one at a time keeps the quota check meaningful), each with its
 * own progress bar: "sending N%" from XMLHttpRequest's upload progress, then "importing…" while the server parses.
 */
import { useRef, useState } from 'preact/hooks';
import { ApiError, type UploadResponse, uploadFile } from '../api';
import { formatBytes } from '../format';
import { useI18n } from '../i18n';

interface Item {
  id: number;
  name: string;
  size: number;
  progress: number;
  state: 'waiting' | 'sending' | 'importing' | 'done' | 'failed';
  table?: string;
  error?: string;
}

let nextId = 1;

export function Upload(props: {
  onUploaded: (response: UploadResponse) => void;
  onSessionError: (error: ApiError) => boolean;
}) {
  const { t, locale } = useI18n();
  const [items, setItems] = useState<Item[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());

  const patch = (id: number, change: Partial<Item>) =>
    setItems((list) => list.map((item) => (item.id === id ? { ...item, ...change } : item)));

  const send = async (file: File, id: number) => {
    patch(id, { state: 'sending' });
    const { done } = uploadFile(file, (fraction) =>
      patch(id, { progress: fraction, state: fraction >= 1 ? 'importing' : 'sending' }),
    );
    try {
      const response = await done;
      patch(id, { state: 'done', progress: 1, table: response.table.name });
      props.onUploaded(response);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError('network', String(error), 0);
      if (props.onSessionError(apiError)) return;
      patch(id, { state: 'failed', error: apiError.message });
    }
  };

  const addFiles = (files: FileList | File[] | null) => {
    if (!files) return;
    const list = Array.from(files);
    if (list.length === 0) return;
    const added = list.map((file) => ({ file, item: newItem(file) }));
    setItems((current) => [...current.filter((i) => i.state !== 'done'), ...added.map((a) => a.item)]);
    for (const { file, item } of added) {
      queue.current = queue.current.then(() => send(file, item.id));
    }
  };

  return (
    <div>
      <label
        class={`dropzone${over ? ' over' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          setOver(false);
          addFiles(event.dataTransfer?.files ?? null);
        }}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" class="dropzone-icon">
          <path
            d="M12 16V4m0 0-4 4m4-4 4 4M4 16v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-2"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </svg>
        <span>
          {t('data.drop')} <span class="link">{t('data.pick')}</span>
        </span>
        <span class="muted small">{t('data.formats')}</span>
        <input
          ref={input}
          class="sr-only"
          type="file"
          multiple
          accept=".csv,.tsv,.txt,.json,.ndjson,.jsonl,.xlsx,.gz"
          data-testid="file-input"
          onChange={(event) => {
            addFiles((event.currentTarget as HTMLInputElement).files);
            (event.currentTarget as HTMLInputElement).value = '';
          }}
        />
      </label>
      {items.length > 0 && (
        <ul class="uploads" aria-live="polite">
          {items.map((item) => (
            <li key={item.id} class={`upload ${item.state}`}>
              <div class="upload-head">
                <span class="upload-name">{item.name}</span>
                <span class="muted small">{formatBytes(item.size, locale)}</span>
                {(item.state === 'done' || item.state === 'failed') && (
                  <button
                    type="button"
                    class="icon-btn"
                    aria-label={`${t('data.dismiss')}: ${item.name}`}
                    onClick={() => setItems((list) => list.filter((i) => i.id !== item.id))}
                  >
                    ×
                  </button>
                )}
              </div>
              <progress
                max={1}
                value={item.state === 'failed' ? 0 : item.progress}
                aria-label={item.name}
                class="bar"
              />
              <span class="small upload-state">{describe(item, t)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function newItem(file: File): Item {
  return { id: nextId++, name: file.name, size: file.size, progress: 0, state: 'waiting' };
}

function describe(item: Item, t: ReturnType<typeof useI18n>['t']): string {
  switch (item.state) {
    case 'waiting':
    case 'sending':
      return t('data.sending', { percent: Math.round(item.progress * 100) });
    case 'importing':
      return t('data.importing');
    case 'done':
      return t('data.imported', { table: item.table ?? '' });
    case 'failed':
      return t('data.failed', { message: item.error ?? '' });
  }
}
