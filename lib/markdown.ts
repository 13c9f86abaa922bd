/**
 * Text for the Temporal UI's markdown (a workflow's static details): every ASCII punctuation mark is
 * backslash-escaped (CommonMark allows it for each), so a company name or a skill renders as it was
 * typed, never as a link, an image, a heading or HTML.
 */
export const escapeMarkdown = (text: string): string => text.replace(/[!-/:-@[-`{-~]/g, '\\$&');
