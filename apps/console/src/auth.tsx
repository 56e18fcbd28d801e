import { createContext, useContext } from 'react';
import { ConsoleApi } from './api/endpoints';

/** The key lives for the browser tab's session only (sessionStorage), never in localStorage. */
const KEY_ITEM = 'reverie.console.apiKey';
const TENANT_ITEM = 'reverie.console.tenant';

export interface StoredAuth {
  apiKey: string;
  tenant: string;
}

export function loadAuth(): StoredAuth | null {
  const apiKey = sessionStorage.getItem(KEY_ITEM);
  const tenant = sessionStorage.getItem(TENANT_ITEM);
  return apiKey && tenant ? { apiKey, tenant } : null;
}

export function saveAuth(auth: StoredAuth): void {
  sessionStorage.setItem(KEY_ITEM, auth.apiKey);
  sessionStorage.setItem(TENANT_ITEM, auth.tenant);
}

export function clearAuth(): void {
  sessionStorage.removeItem(KEY_ITEM);
  sessionStorage.removeItem(TENANT_ITEM);
}

export interface AuthContextValue {
  api: ConsoleApi;
  tenant: string;
  signOut: (reason?: string) => void;
}

export const AuthContext = createContext<AuthContextValue | null>(null);

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside a signed-in page');
  return value;
}

export const useApi = () => useAuth().api;
