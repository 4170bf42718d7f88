// Small stroke icons drawn as inline SVG (no icon font or image requests).
import type { JSX } from 'preact';

type IconProps = { size?: number; class?: string };

function Icon({ size = 16, class: className, children }: IconProps & { children: JSX.Element | JSX.Element[] }) {
  return (
    <svg
      class={`icon ${className ?? ''}`}
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      stroke-width="1.4"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      {children}
    </svg>
  );
}

const THUMB =
  'M2 7.5h2.5v6.5H2zM4.5 7.5 7.3 2.2c1.1 0 1.9.9 1.6 2L8.4 6.3h4.2a1.4 1.4 0 0 1 1.4 1.7l-1.1 4.8a1.5 1.5 0 0 1-1.5 1.2H4.5';

export const ThumbUpIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d={THUMB} />
  </Icon>
);
export const ThumbDownIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d={THUMB} transform="rotate(180 8 8)" />
  </Icon>
);
export const TrashIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M2.5 4h11M6 4V2.5h4V4M4 4l.7 9.5h6.6L12 4M6.7 6.5v4.5M9.3 6.5v4.5" />
  </Icon>
);
export const FileIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M4 1.5h5l3 3v10H4zM9 1.5v3h3M6 8h4M6 10.5h4" />
  </Icon>
);
export const FolderIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M1.5 3.5h4.2l1.5 1.5h7.3v8.5h-13z" />
  </Icon>
);
export const UploadIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M8 10.5V2.5M4.8 5.5 8 2.3l3.2 3.2M2.5 10.5v3h11v-3" />
  </Icon>
);
export const CloseIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M3.5 3.5l9 9M12.5 3.5l-9 9" />
  </Icon>
);
export const MenuIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M2.5 4h11M2.5 8h11M2.5 12h11" />
  </Icon>
);
export const PlusIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M8 3v10M3 8h10" />
  </Icon>
);
export const CheckIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M3 8.5l3.2 3L13 4.5" />
  </Icon>
);

export const Logo = ({ size = 26 }: { size?: number }) => (
  <svg class="logo" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
    <rect width="32" height="32" rx="8" fill="#2f5bd3" />
    <path d="M10 8h8a6 6 0 0 1 6 6v4a6 6 0 0 1-6 6h-8z" fill="none" stroke="#fff" stroke-width="3" />
  </svg>
);
