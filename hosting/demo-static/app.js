document.getElementById('script-status').textContent = 'The script ran (served as text/javascript).';
