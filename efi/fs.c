/* Reading whole files from the ESP through the Simple File System protocol. */
#include "loader.h"

EFI_STATUS fs_open_root(EFI_HANDLE image, EFI_FILE_HANDLE *root)
{
    EFI_LOADED_IMAGE *li;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs;
    EFI_STATUS st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
    if (EFI_ERROR(st))
        return st;
    st = BS->HandleProtocol(li->DeviceHandle, &FileSystemProtocol, (void **)&sfs);
    if (EFI_ERROR(st))
        return st;
    return sfs->OpenVolume(sfs, root);
}

/* "/boot/kernel.elf" -> L"\\boot\\kernel.elf" */
static void to_efi_path(const char *path, CHAR16 *out, UINTN max)
{
    UINTN i = 0;
    for (; path[i] && i + 1 < max; i++)
        out[i] = path[i] == '/' ? L'\\' : (CHAR16)path[i];
    out[i] = 0;
}

static const char *file_size(EFI_FILE_HANDLE f, uint64_t *size)
{
    UINTN len = 0;
    EFI_STATUS st = f->GetInfo(f, &GenericFileInfo, &len, NULL);
    if (st != EFI_BUFFER_TOO_SMALL)
        return "cannot query file size";
    EFI_FILE_INFO *info;
    if (EFI_ERROR(BS->AllocatePool(EfiLoaderData, len, (void **)&info)))
        return "out of memory";
    st = f->GetInfo(f, &GenericFileInfo, &len, info);
    *size = info->FileSize;
    int is_dir = (info->Attribute & EFI_FILE_DIRECTORY) != 0;
    BS->FreePool(info);
    if (EFI_ERROR(st))
        return "cannot query file size";
    return is_dir ? "is a directory" : NULL;
}

const char *fs_read(EFI_FILE_HANDLE root, const char *path, UINT32 memtype,
                    struct loaded_file *out)
{
    CHAR16 wpath[256];
    EFI_FILE_HANDLE f;
    to_efi_path(path, wpath, sizeof(wpath) / sizeof(wpath[0]));
    EFI_STATUS st = root->Open(root, &f, wpath, EFI_FILE_MODE_READ, 0);
    if (st == EFI_NOT_FOUND)
        return "file not found on the ESP";
    if (EFI_ERROR(st))
        return "cannot open file";

    const char *err = file_size(f, &out->size);
    if (!err && out->size == 0)
        err = "file is empty";
    if (!err && out->size > (1ull << 30))
        err = "file larger than 1 GiB";
    EFI_PHYSICAL_ADDRESS pa = 0;
    if (!err) {
        out->pages = (out->size + 4095) / 4096;
        if (EFI_ERROR(BS->AllocatePages(AllocateAnyPages, (EFI_MEMORY_TYPE)memtype,
                                        out->pages, &pa)))
            err = "not enough memory to load the file";
    }
    if (!err) {
        UINTN len = out->size;
        out->data = (void *)(uintptr_t)pa;
        st = f->Read(f, &len, out->data);
        if (EFI_ERROR(st) || len != out->size) {
            BS->FreePages(pa, out->pages);
            err = "read error";
        }
    }
    f->Close(f);
    return err;
}
