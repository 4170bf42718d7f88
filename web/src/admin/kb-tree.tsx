// The knowledge-base folder tree with sizes. Folders open and close; a file
// opens in the viewer; every entry can be deleted (after confirmation).
import { useState } from 'preact/hooks';
import { formatBytes } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.ts';
import { FileIcon, FolderIcon, TrashIcon } from '../shared/icons.tsx';

export interface KbNode {
  name: string;
  path: string;
  type: 'dir' | 'file';
  size: number;
  description?: string;
  children?: KbNode[];
}

export interface KbTreeProps {
  root: KbNode;
  selected: string | null;
  onOpen: (node: KbNode) => void;
  onDelete: (node: KbNode) => void;
  onMove: (node: KbNode) => void;
}

function sortNodes(nodes: KbNode[]): KbNode[] {
  return [...nodes].sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'dir' ? -1 : 1));
}

function TreeNode({ node, depth, ...props }: { node: KbNode; depth: number } & Omit<KbTreeProps, 'root'>) {
  const { t } = useI18n();
  const [open, setOpen] = useState(depth < 1);
  const isDir = node.type === 'dir';
  return (
    <li>
      <div
        class={props.selected === node.path ? 'tree-row selected' : 'tree-row'}
        data-testid="tree-row"
        data-path={node.path}
        style={{ paddingLeft: `${8 + depth * 16}px` }}
      >
        <button
          type="button"
          class="tree-label"
          title={node.description || node.path}
          aria-expanded={isDir ? open : undefined}
          onClick={() => (isDir ? setOpen(!open) : props.onOpen(node))}
        >
          <span class={isDir ? (open ? 'twisty open' : 'twisty') : 'twisty none'} aria-hidden="true" />
          {isDir ? <FolderIcon class="folder-icon" /> : <FileIcon class="file-icon" />}
          <span class="tree-name">{node.name}</span>
        </button>
        <span class="tree-size">{formatBytes(node.size)}</span>
        {!isDir && (
          <button
            type="button"
            class="icon-button tree-move"
            data-testid="tree-move"
            title={t('kb.move')}
            aria-label={`${t('kb.move')} ${node.path}`}
            onClick={() => props.onMove(node)}
          >
            <FolderIcon size={15} />
          </button>
        )}
        <button
          type="button"
          class="icon-button tree-delete"
          data-testid="tree-delete"
          title={t('kb.delete')}
          aria-label={`${t('kb.delete')} ${node.path}`}
          onClick={() => props.onDelete(node)}
        >
          <TrashIcon size={15} />
        </button>
      </div>
      {isDir && open && node.children && node.children.length > 0 && (
        <ul>
          {sortNodes(node.children).map((child) => (
            <TreeNode key={child.path} node={child} depth={depth + 1} {...props} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function KbTree({ root, ...props }: KbTreeProps) {
  return (
    <ul class="tree" data-testid="kb-tree">
      {sortNodes(root.children ?? []).map((child) => (
        <TreeNode key={child.path} node={child} depth={0} {...props} />
      ))}
    </ul>
  );
}
