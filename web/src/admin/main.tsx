import { render } from 'preact';
import '../shared/styles/index.css';
import './styles/index.css';
import { I18nProvider } from '../shared/i18n-provider.tsx';
import { AdminApp } from './admin-app.tsx';

render(
  <I18nProvider>
    <AdminApp />
  </I18nProvider>,
  document.getElementById('app')!,
);
