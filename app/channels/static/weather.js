// The quick-exit page: whatever the chat left in this browser's storage is gone.
try { window.sessionStorage.clear(); window.localStorage.clear(); } catch (e) { /* storage disabled: nothing kept */ }
