import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { berthVersion } from '../app/version.js';
import { DomainError } from '../domain/errors.js';
import { SBOM_FORMATS, type SbomFormat, sbomDocument } from '../domain/scanning/sbom/index.js';
import { type ImageArgument, parseImageArgument } from './scan.js';
import { type StoreFlags, storeOptions, withServices } from './store-options.js';

interface SbomFlags extends StoreFlags {
  format: SbomFormat;
  output?: string;
}

/**
 * `berth sbom <image>`: the inventory the image's last scan stored, as a CycloneDX or SPDX JSON
 * SBOM. Reads only what is stored: an image never scanned has no inventory to export.
 */
export function registerSbomCommand(program: Command): void {
  storeOptions(
    program
      .command('sbom')
      .argument('<image>', 'repository[:tag|@digest]; the tag defaults to latest', parseImageArgument)
      .description("export the packages an image's scan found as an SBOM: CycloneDX 1.5 or SPDX 2.3 JSON"),
  )
    .addOption(new Option('--format <format>', 'cyclonedx (CycloneDX 1.5) or spdx (SPDX 2.3)').choices(SBOM_FORMATS).default('cyclonedx'))
    .option('-o, --output <file>', 'write the SBOM to this file instead of standard output')
    .action(async (image: ImageArgument, { format, output, ...storeFlags }: SbomFlags) => {
      const document = await withServices(storeFlags, async ({ registry, config, clock }) => {
        const { repository, imageDigest, inventory } = await registry.scans.inventoryOf(image.repository, image.imageId);
        if (!inventory) {
          const scan = (await registry.scans.scansOf(repository.id, [imageDigest])).get(imageDigest);
          const state = scan ? ` (its scan is ${scan.status}${scan.description ? `: ${scan.description}` : ''})` : '';
          throw new DomainError('SCAN_NOT_FOUND', `no scan of ${image.label} has an inventory yet${state}: run \`berth scan ${image.label}\``);
        }
        return sbomDocument(
          format,
          inventory,
          { repository: repository.name, digest: imageDigest, ...(image.imageId.imageTag !== undefined && { tag: image.imageId.imageTag }), ...(config.publicHost && { registryHost: config.publicHost }) },
          { createdAt: clock.now(), uuid: randomUUID(), toolVersion: berthVersion() },
        );
      });
      const text = `${JSON.stringify(document, null, 2)}\n`;
      if (output === undefined) process.stdout.write(text);
      else writeFileSync(output, text);
    });
}
