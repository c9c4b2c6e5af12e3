// The /docs page in the language the shopper chose in the shop (the
// storefront's catalogues; the Swagger pages it links stay English).
import { t, translateStatic } from './i18n.js';

translateStatic();
document.title = t('title.page', { page: t('nav.docs') });
