# Shared by the .ci/setup-*.sh scripts (sourced, not run: .ci/run runs only setup-*.sh).

# apt_install LOG PACKAGE...: installs the Debian packages that are not installed yet, quietly.
apt_install() {
  local log=$1 package missing=()
  shift
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    "$log" "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    "$log" "Debian packages already installed: $*"
  fi
}
