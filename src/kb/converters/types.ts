/** What a conversion produces. */
export interface ConvertedImage {
  /** File name inside `<stem>_images/`. */
  readonly name: string;
  readonly data: Uint8Array;
}

export interface Converted {
  readonly markdown: string;
  readonly images: readonly ConvertedImage[];
  /** For data files (xlsx, csv): the original bytes, kept beside the description. */
  readonly data?: Uint8Array;
}
