// status.model: what a models:/ URI of a model registry resolved to (src/registry). Pinned here so the
// operator serves the same version after a restart, and so a user sees which version an alias named.
import { z } from 'zod';
import { DNS_LABEL_MAX, MAX_URI_LENGTH } from './limits.ts';

const time = (what: string) => z.iso.datetime().describe(what);

export const MAX_RESOLUTIONS = 10;

export const resolutionEntrySchema = z
  .object({
    version: z.string().max(DNS_LABEL_MAX).describe('The version the URI resolved to.'),
    source: z.string().max(MAX_URI_LENGTH).describe('Its artifact location.'),
    at: time('When the URI was first seen resolving to it.'),
  })
  .describe('One resolution of spec.model.uri.');

export const registryModelStatusSchema = z
  .object({
    uri: z.string().max(MAX_URI_LENGTH).describe('The models:/ URI resolved (spec.model.uri).'),
    registry: z.string().max(DNS_LABEL_MAX).describe('The registry asked.'),
    version: z.string().max(DNS_LABEL_MAX).describe('The immutable version it resolved to: the model version served.'),
    source: z.string().max(MAX_URI_LENGTH).describe("The version's artifact location, which the model fetcher reads."),
    resolvedAt: time('When the URI last resolved to this version.'),
    resolutions: z
      .array(resolutionEntrySchema)
      .max(MAX_RESOLUTIONS)
      .optional()
      .describe('What the URI resolved to over time, newest first: an alias moved in the registry adds an entry.'),
  })
  .describe('For a models:/ URI: the version and artifact location the model registry resolved it to.');

export type RegistryModelStatus = z.output<typeof registryModelStatusSchema>;
