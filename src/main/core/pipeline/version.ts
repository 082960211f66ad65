// Versions recorded with every result. Bump PROCESSING_VERSION whenever timing, redaction,
// summary or fingerprint logic changes what a conversation's row would contain: the content
// fingerprint includes it, so a bump makes the next run re-analyse everything.

/** Version of the timing / redaction / summary pipeline (stored as `processing_version`). */
export const PROCESSING_VERSION = '2026.11.1';

/** Version of the LLM prompt (stored as `prompt_version`). The LLM module may supersede this. */
export const PROMPT_VERSION = 'v1';
