/* core: versions and status names. */
const char *custops_version(void);
int custops_version_number(void);
const char *custops_strerror(int status);
const char *custops_last_error(void);

%constant int OK = CUSTOPS_OK;
%constant int EINVAL = CUSTOPS_EINVAL;
%constant int ENOMEM = CUSTOPS_ENOMEM;
%constant int ERANGE = CUSTOPS_ERANGE;
%constant int ENOTFOUND = CUSTOPS_ENOTFOUND;
%constant int EIO = CUSTOPS_EIO;
%constant int EPARSE = CUSTOPS_EPARSE;
%constant int ECORRUPT = CUSTOPS_ECORRUPT;
%constant int EVERSION = CUSTOPS_EVERSION;
%constant int ECONFLICT = CUSTOPS_ECONFLICT;
%constant int ESTATE = CUSTOPS_ESTATE;
%constant int ENOCONVERGE = CUSTOPS_ENOCONVERGE;
%constant int EIDENTIFY = CUSTOPS_EIDENTIFY;
%constant int ELIMIT = CUSTOPS_ELIMIT;
%constant int EEXISTS = CUSTOPS_EEXISTS;
%constant int EBUSY = CUSTOPS_EBUSY;
%constant int EUNSUPPORTED = CUSTOPS_EUNSUPPORTED;
%constant const char *VERSION = CUSTOPS_VERSION;
