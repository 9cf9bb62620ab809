import { render } from 'preact';

render(<main>Berth console</main>, document.getElementById('app')!);
