/** "View push commands": ECR's four steps for this registry and repository, for bash and PowerShell, each with a copy button. */
import { useState } from 'preact/hooks';
import { endpointUrl, useSession } from '../api/session.js';
import { CopyButton } from './copy-button.js';
import { Modal } from './modal.js';
import { TabPanel, Tabs } from './tabs.js';

type Shell = 'bash' | 'powershell';

const SHELLS = [
  { id: 'bash', label: 'macOS / Linux' },
  { id: 'powershell', label: 'Windows' },
] as const;

function pushCommands(shell: Shell, options: { region: string; endpoint: string; host: string; repositoryName: string }): { text: string; command: string }[] {
  const { region, endpoint, host, repositoryName } = options;
  const login =
    shell === 'bash'
      ? `aws ecr get-login-password --region ${region} --endpoint-url ${endpoint} | docker login --username AWS --password-stdin ${host}`
      : `(Get-ECRLoginCommand -Region ${region} -EndpointUrl ${endpoint}).Password | docker login --username AWS --password-stdin ${host}`;
  return [
    {
      text:
        shell === 'bash'
          ? 'Retrieve an authentication token and authenticate your Docker client to your registry. Use the AWS CLI:'
          : 'Retrieve an authentication token and authenticate your Docker client to your registry. Use AWS Tools for PowerShell:',
      command: login,
    },
    { text: 'Build your Docker image using the following command. You can skip this step if your image is already built:', command: `docker build -t ${repositoryName} .` },
    { text: 'After the build completes, tag your image so you can push the image to this repository:', command: `docker tag ${repositoryName}:latest ${host}/${repositoryName}:latest` },
    { text: 'Run the following command to push this image to your repository:', command: `docker push ${host}/${repositoryName}:latest` },
  ];
}

function PushCommandsDialog({ repositoryName, onClose }: { repositoryName: string; onClose: () => void }) {
  const session = useSession();
  const [shell, setShell] = useState<Shell>('bash');
  const steps = pushCommands(shell, { region: session.registry.region, endpoint: endpointUrl(session), host: session.registry.host, repositoryName });
  return (
    <Modal title={`Push commands for ${repositoryName}`} onClose={onClose} size="large" testId="push-commands">
      <Tabs label="Operating system" tabs={SHELLS} selected={shell} onSelect={setShell} idPrefix="push" />
      <TabPanel idPrefix="push" id={shell}>
        <p class="muted">Make sure that you have the latest version of the AWS CLI{shell === 'powershell' ? ' or AWS Tools for PowerShell' : ''} and Docker installed.</p>
        <ol class="push-steps">
          {steps.map((step, i) => (
            <li key={i}>
              <p>{step.text}</p>
              <div class="command">
                <code data-testid={`push-command-${i + 1}`}>{step.command}</code>
                <CopyButton text={step.command} label={`Copy command ${i + 1}`} />
              </div>
            </li>
          ))}
        </ol>
      </TabPanel>
    </Modal>
  );
}

export function PushCommandsButton({ repositoryName, disabled }: { repositoryName: string | undefined; disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" class="button" onClick={() => setOpen(true)} disabled={disabled || !repositoryName}>
        View push commands
      </button>
      {open && repositoryName && <PushCommandsDialog repositoryName={repositoryName} onClose={() => setOpen(false)} />}
    </>
  );
}
