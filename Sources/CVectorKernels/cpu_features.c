#include "CVectorKernels.h"
#include <sched.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

// XGETBV tells whether the OS saves the wide register state; CPUID alone does not.
static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static int detect_isa(lodestone_isa isa) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int has_osxsave = (ecx >> 27) & 1;
    int has_fma = (ecx >> 12) & 1;
    int has_avx = (ecx >> 28) & 1;
    if (!has_osxsave || !has_avx) return 0;
    uint64_t xcr0 = read_xcr0();
    int ymm_enabled = (xcr0 & 0x6) == 0x6;
    int zmm_enabled = (xcr0 & 0xe6) == 0xe6;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    int has_avx2 = (ebx >> 5) & 1;
    int has_avx512f = (ebx >> 16) & 1;
    switch (isa) {
    case LODESTONE_ISA_HASWELL: return ymm_enabled && has_avx2 && has_fma;
    case LODESTONE_ISA_SKYLAKE: return zmm_enabled && has_avx512f && has_fma;
    default: return 1;
    }
}

// The code kernels need AVX2 alone, or AVX-512 F and BW with VNNI; probed like the float levels.
static int detect_codes_isa(lodestone_codes_isa isa) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !((ecx >> 27) & 1) || !((ecx >> 28) & 1)) return 0;
    uint64_t xcr0 = read_xcr0();
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    switch (isa) {
    case LODESTONE_CODES_AVX2: return (xcr0 & 0x6) == 0x6 && ((ebx >> 5) & 1);
    case LODESTONE_CODES_VNNI: return (xcr0 & 0xe6) == 0xe6 && ((ebx >> 16) & 1) && ((ebx >> 30) & 1) && ((ecx >> 11) & 1);
    default: return 0;
    }
}

// POPCNT is CPUID.1:ECX[23]; VPOPCNTDQ needs AVX-512 F with the wide state saved, and CPUID.7:ECX[14].
static int detect_bits_isa(lodestone_bits_isa isa) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int has_popcnt = (ecx >> 23) & 1;
    if (isa == LODESTONE_BITS_POPCNT) return has_popcnt;
    if (!((ecx >> 27) & 1)) return 0;
    uint64_t xcr0 = read_xcr0();
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return isa == LODESTONE_BITS_AVX512 && (xcr0 & 0xe6) == 0xe6 && ((ebx >> 16) & 1) && ((ecx >> 14) & 1);
}
#else
static int detect_isa(lodestone_isa isa) { return isa == LODESTONE_ISA_SERIAL; }
static int detect_codes_isa(lodestone_codes_isa isa) { (void)isa; return 0; }
static int detect_bits_isa(lodestone_bits_isa isa) { (void)isa; return 0; }
#endif

int lodestone_bits_isa_supported(lodestone_bits_isa isa) {
    return isa == LODESTONE_BITS_SERIAL || detect_bits_isa(isa);
}

int lodestone_codes_isa_supported(lodestone_codes_isa isa) {
    return isa == LODESTONE_CODES_SERIAL || detect_codes_isa(isa);
}

int lodestone_isa_supported(lodestone_isa isa) {
    if (isa == LODESTONE_ISA_SERIAL) return 1;
    return detect_isa(isa);
}

void lodestone_spin_lock(uint8_t *lock) {
    for (;;) {
        for (int spins = 0; spins < 256; spins++) {
            if (__atomic_load_n(lock, __ATOMIC_RELAXED) == 0 &&
                __atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE) == 0) {
                return;
            }
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
        sched_yield();
    }
}
