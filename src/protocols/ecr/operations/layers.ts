import type { EcrDeps, EcrHandlers } from './index.js';

/** Layer operations: checking, uploading in parts, and signed download URLs. */
export function layerHandlers(deps: EcrDeps): EcrHandlers {
  const layers = () => deps.registry.layers;
  const registryId = () => deps.scope.account;
  return {
    BatchCheckLayerAvailability: async ({ repositoryName, layerDigests }) => layers().batchCheckLayerAvailability(repositoryName, layerDigests),
    InitiateLayerUpload: async ({ repositoryName }) => layers().initiateLayerUpload(repositoryName),
    UploadLayerPart: async ({ repositoryName, uploadId, partFirstByte, partLastByte, layerPartBlob }) => {
      const received = await layers().uploadLayerPart(repositoryName, { uploadId, partFirstByte, partLastByte, layerPartBlob });
      return { registryId: registryId(), repositoryName, ...received };
    },
    CompleteLayerUpload: async ({ repositoryName, uploadId, layerDigests }) => {
      const completed = await layers().completeLayerUpload(repositoryName, uploadId, layerDigests);
      return { registryId: registryId(), repositoryName, ...completed };
    },
    // The URL is the OCI blob endpoint of the server the client reached, with a token standing in for credentials.
    GetDownloadUrlForLayer: async ({ repositoryName, layerDigest }, call) => {
      const layer = await layers().layerForDownload(repositoryName, layerDigest);
      const token = await deps.downloads.issue(repositoryName, layer.digest);
      return { downloadUrl: `${call.endpoint}/v2/${repositoryName}/blobs/${layer.digest}?download-token=${encodeURIComponent(token)}`, layerDigest: layer.digest };
    },
  };
}
