/** Delete a repository; one with images needs typing "delete" and is deleted with force, images and all. */
import { ecr } from '../api/ecr.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { SkeletonLines } from '../components/states.js';
import { useToast } from '../components/toasts.js';
import { useResource } from '../hooks/use-resource.js';

export function DeleteRepositoryDialog({ repositoryName, onClose, onDeleted }: { repositoryName: string; onClose: () => void; onDeleted: () => void }) {
  const toast = useToast();
  const images = useResource((signal) => ecr('DescribeImages', { repositoryName, maxResults: 1 }, signal), [repositoryName]);
  const checking = images.loading && !images.data;
  // If the check fails, assume images: nothing is deleted without the stronger confirmation.
  const hasImages = images.data ? (images.data.imageDetails?.length ?? 0) > 0 : true;
  return (
    <ConfirmDialog
      title={`Delete ${repositoryName}?`}
      confirmLabel="Delete"
      testId="delete-repository"
      disabled={checking}
      {...(hasImages && !checking && { typeToConfirm: 'delete' })}
      onConfirm={async () => {
        await ecr('DeleteRepository', { repositoryName, force: hasImages });
        toast(`Deleted ${repositoryName}`);
        onDeleted();
      }}
      onClose={onClose}
    >
      {checking ? (
        <SkeletonLines lines={2} label="Checking for images" />
      ) : hasImages ? (
        <p class="warning" data-testid="force-delete-warning">
          This repository contains images. Deleting it deletes all of its images, tags and policies, and cannot be undone.
        </p>
      ) : (
        <p>The repository is empty. Deleting it removes its policies and settings and cannot be undone.</p>
      )}
    </ConfirmDialog>
  );
}
