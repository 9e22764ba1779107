#include "core/marker.h"

#include <stdint.h>
#include <string.h>

#include "core/name.h"

enum { OP_LT, OP_LE, OP_EQ, OP_NE, OP_GE, OP_GT, OP_COMPAT, OP_ARB, OP_IN, OP_NOTIN };
static const char *const marker__opname[] = { "<", "<=", "==", "!=", ">=", ">", "~=", "===", "in", "not in" };

enum { SRC_ENV, SRC_LIT };
#define KEY_UNKNOWN 255

static const char *const marker__varname[TH_MV_COUNT] = {
	"python_version",   "python_full_version", "os_name",          "sys_platform",
	"platform_release", "platform_system",     "platform_version", "platform_machine",
	"platform_python_implementation", "implementation_name", "implementation_version",
	"extra", "extras", "dependency_groups",
};

/* Spellings the tokenizer accepts (23.0's VARIABLE rule plus PEP 751's sets). */
static const struct {
	const char *text;
	unsigned char var;
} marker__spelling[] = {
	{ "python_version", TH_MV_PYTHON_VERSION },
	{ "python_full_version", TH_MV_PYTHON_FULL_VERSION },
	{ "os_name", TH_MV_OS_NAME },
	{ "os.name", TH_MV_OS_NAME },
	{ "sys_platform", TH_MV_SYS_PLATFORM },
	{ "sys.platform", TH_MV_SYS_PLATFORM },
	{ "platform_release", TH_MV_PLATFORM_RELEASE },
	{ "platform_system", TH_MV_PLATFORM_SYSTEM },
	{ "platform_version", TH_MV_PLATFORM_VERSION },
	{ "platform.version", TH_MV_PLATFORM_VERSION },
	{ "platform_machine", TH_MV_PLATFORM_MACHINE },
	{ "platform.machine", TH_MV_PLATFORM_MACHINE },
	{ "platform_python_implementation", TH_MV_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "platform.python_implementation", TH_MV_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "python_implementation", TH_MV_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "implementation_name", TH_MV_IMPLEMENTATION_NAME },
	{ "implementation_version", TH_MV_IMPLEMENTATION_VERSION },
	{ "extra", TH_MV_EXTRA },
	{ "extras", TH_MV_EXTRAS },
	{ "dependency_groups", TH_MV_DEPENDENCY_GROUPS },
};

typedef struct marker__operand {
	unsigned char is_var;
	unsigned char var;
	const char *s; /* value (decoded) when !is_var */
	size_t len;
} marker__operand;

typedef struct marker__item {
	marker__operand l, r; /* as str() shows them */
	unsigned char op;
	/* evaluation plan, fixed at parse time */
	unsigned char key, lsrc, rsrc;
	const char *llit, *rlit;
	size_t llen, rlen;
	bool lver_ok;
	th_version lver;
	const th_spec *rspec;
} marker__item;

struct th_marker {
	int is_group;
	marker__item item;
	size_t n;
	th_marker **child;
	unsigned char *is_or; /* is_or[i]: "or" before child i (i >= 1) */
};

typedef struct marker__p {
	const char *s;
	size_t len, pos;
	th_arena *a;
	th_error *err;
	int depth;
} marker__p;

/* ---- character classes (Python's re on str, approximated for non-ASCII) ---- */

size_t th_marker_pyspace(const char *s, size_t len)
{
	uint32_t cp;
	size_t k = th_version_utf8(s, s + len, &cp);

	return k && th_version_is_space(cp) ? k : 0;
}

/* Python's \w beyond ASCII (str.isalnum(), Unicode 14.0, as Python 3.11
 * has it), as ranges of code points. It decides, for one, whether "and" or
 * "or" followed by a non-ASCII character is an operator (then the marker goes
 * on) or not (then the marker ends there). */
static const uint32_t marker__wordr[][2] = {
	{ 0xaa, 0xaa }, { 0xb2, 0xb3 }, { 0xb5, 0xb5 }, { 0xb9, 0xba }, { 0xbc, 0xbe }, { 0xc0, 0xd6 }, { 0xd8, 0xf6 },
	{ 0xf8, 0x2c1 }, { 0x2c6, 0x2d1 }, { 0x2e0, 0x2e4 }, { 0x2ec, 0x2ec }, { 0x2ee, 0x2ee }, { 0x370, 0x374 },
	{ 0x376, 0x377 }, { 0x37a, 0x37d }, { 0x37f, 0x37f }, { 0x386, 0x386 }, { 0x388, 0x38a }, { 0x38c, 0x38c },
	{ 0x38e, 0x3a1 }, { 0x3a3, 0x3f5 }, { 0x3f7, 0x481 }, { 0x48a, 0x52f }, { 0x531, 0x556 }, { 0x559, 0x559 },
	{ 0x560, 0x588 }, { 0x5d0, 0x5ea }, { 0x5ef, 0x5f2 }, { 0x620, 0x64a }, { 0x660, 0x669 }, { 0x66e, 0x66f },
	{ 0x671, 0x6d3 }, { 0x6d5, 0x6d5 }, { 0x6e5, 0x6e6 }, { 0x6ee, 0x6fc }, { 0x6ff, 0x6ff }, { 0x710, 0x710 },
	{ 0x712, 0x72f }, { 0x74d, 0x7a5 }, { 0x7b1, 0x7b1 }, { 0x7c0, 0x7ea }, { 0x7f4, 0x7f5 }, { 0x7fa, 0x7fa },
	{ 0x800, 0x815 }, { 0x81a, 0x81a }, { 0x824, 0x824 }, { 0x828, 0x828 }, { 0x840, 0x858 }, { 0x860, 0x86a },
	{ 0x870, 0x887 }, { 0x889, 0x88e }, { 0x8a0, 0x8c9 }, { 0x904, 0x939 }, { 0x93d, 0x93d }, { 0x950, 0x950 },
	{ 0x958, 0x961 }, { 0x966, 0x96f }, { 0x971, 0x980 }, { 0x985, 0x98c }, { 0x98f, 0x990 }, { 0x993, 0x9a8 },
	{ 0x9aa, 0x9b0 }, { 0x9b2, 0x9b2 }, { 0x9b6, 0x9b9 }, { 0x9bd, 0x9bd }, { 0x9ce, 0x9ce }, { 0x9dc, 0x9dd },
	{ 0x9df, 0x9e1 }, { 0x9e6, 0x9f1 }, { 0x9f4, 0x9f9 }, { 0x9fc, 0x9fc }, { 0xa05, 0xa0a }, { 0xa0f, 0xa10 },
	{ 0xa13, 0xa28 }, { 0xa2a, 0xa30 }, { 0xa32, 0xa33 }, { 0xa35, 0xa36 }, { 0xa38, 0xa39 }, { 0xa59, 0xa5c },
	{ 0xa5e, 0xa5e }, { 0xa66, 0xa6f }, { 0xa72, 0xa74 }, { 0xa85, 0xa8d }, { 0xa8f, 0xa91 }, { 0xa93, 0xaa8 },
	{ 0xaaa, 0xab0 }, { 0xab2, 0xab3 }, { 0xab5, 0xab9 }, { 0xabd, 0xabd }, { 0xad0, 0xad0 }, { 0xae0, 0xae1 },
	{ 0xae6, 0xaef }, { 0xaf9, 0xaf9 }, { 0xb05, 0xb0c }, { 0xb0f, 0xb10 }, { 0xb13, 0xb28 }, { 0xb2a, 0xb30 },
	{ 0xb32, 0xb33 }, { 0xb35, 0xb39 }, { 0xb3d, 0xb3d }, { 0xb5c, 0xb5d }, { 0xb5f, 0xb61 }, { 0xb66, 0xb6f },
	{ 0xb71, 0xb77 }, { 0xb83, 0xb83 }, { 0xb85, 0xb8a }, { 0xb8e, 0xb90 }, { 0xb92, 0xb95 }, { 0xb99, 0xb9a },
	{ 0xb9c, 0xb9c }, { 0xb9e, 0xb9f }, { 0xba3, 0xba4 }, { 0xba8, 0xbaa }, { 0xbae, 0xbb9 }, { 0xbd0, 0xbd0 },
	{ 0xbe6, 0xbf2 }, { 0xc05, 0xc0c }, { 0xc0e, 0xc10 }, { 0xc12, 0xc28 }, { 0xc2a, 0xc39 }, { 0xc3d, 0xc3d },
	{ 0xc58, 0xc5a }, { 0xc5d, 0xc5d }, { 0xc60, 0xc61 }, { 0xc66, 0xc6f }, { 0xc78, 0xc7e }, { 0xc80, 0xc80 },
	{ 0xc85, 0xc8c }, { 0xc8e, 0xc90 }, { 0xc92, 0xca8 }, { 0xcaa, 0xcb3 }, { 0xcb5, 0xcb9 }, { 0xcbd, 0xcbd },
	{ 0xcdd, 0xcde }, { 0xce0, 0xce1 }, { 0xce6, 0xcef }, { 0xcf1, 0xcf2 }, { 0xd04, 0xd0c }, { 0xd0e, 0xd10 },
	{ 0xd12, 0xd3a }, { 0xd3d, 0xd3d }, { 0xd4e, 0xd4e }, { 0xd54, 0xd56 }, { 0xd58, 0xd61 }, { 0xd66, 0xd78 },
	{ 0xd7a, 0xd7f }, { 0xd85, 0xd96 }, { 0xd9a, 0xdb1 }, { 0xdb3, 0xdbb }, { 0xdbd, 0xdbd }, { 0xdc0, 0xdc6 },
	{ 0xde6, 0xdef }, { 0xe01, 0xe30 }, { 0xe32, 0xe33 }, { 0xe40, 0xe46 }, { 0xe50, 0xe59 }, { 0xe81, 0xe82 },
	{ 0xe84, 0xe84 }, { 0xe86, 0xe8a }, { 0xe8c, 0xea3 }, { 0xea5, 0xea5 }, { 0xea7, 0xeb0 }, { 0xeb2, 0xeb3 },
	{ 0xebd, 0xebd }, { 0xec0, 0xec4 }, { 0xec6, 0xec6 }, { 0xed0, 0xed9 }, { 0xedc, 0xedf }, { 0xf00, 0xf00 },
	{ 0xf20, 0xf33 }, { 0xf40, 0xf47 }, { 0xf49, 0xf6c }, { 0xf88, 0xf8c }, { 0x1000, 0x102a }, { 0x103f, 0x1049 },
	{ 0x1050, 0x1055 }, { 0x105a, 0x105d }, { 0x1061, 0x1061 }, { 0x1065, 0x1066 }, { 0x106e, 0x1070 },
	{ 0x1075, 0x1081 }, { 0x108e, 0x108e }, { 0x1090, 0x1099 }, { 0x10a0, 0x10c5 }, { 0x10c7, 0x10c7 },
	{ 0x10cd, 0x10cd }, { 0x10d0, 0x10fa }, { 0x10fc, 0x1248 }, { 0x124a, 0x124d }, { 0x1250, 0x1256 },
	{ 0x1258, 0x1258 }, { 0x125a, 0x125d }, { 0x1260, 0x1288 }, { 0x128a, 0x128d }, { 0x1290, 0x12b0 },
	{ 0x12b2, 0x12b5 }, { 0x12b8, 0x12be }, { 0x12c0, 0x12c0 }, { 0x12c2, 0x12c5 }, { 0x12c8, 0x12d6 },
	{ 0x12d8, 0x1310 }, { 0x1312, 0x1315 }, { 0x1318, 0x135a }, { 0x1369, 0x137c }, { 0x1380, 0x138f },
	{ 0x13a0, 0x13f5 }, { 0x13f8, 0x13fd }, { 0x1401, 0x166c }, { 0x166f, 0x167f }, { 0x1681, 0x169a },
	{ 0x16a0, 0x16ea }, { 0x16ee, 0x16f8 }, { 0x1700, 0x1711 }, { 0x171f, 0x1731 }, { 0x1740, 0x1751 },
	{ 0x1760, 0x176c }, { 0x176e, 0x1770 }, { 0x1780, 0x17b3 }, { 0x17d7, 0x17d7 }, { 0x17dc, 0x17dc },
	{ 0x17e0, 0x17e9 }, { 0x17f0, 0x17f9 }, { 0x1810, 0x1819 }, { 0x1820, 0x1878 }, { 0x1880, 0x1884 },
	{ 0x1887, 0x18a8 }, { 0x18aa, 0x18aa }, { 0x18b0, 0x18f5 }, { 0x1900, 0x191e }, { 0x1946, 0x196d },
	{ 0x1970, 0x1974 }, { 0x1980, 0x19ab }, { 0x19b0, 0x19c9 }, { 0x19d0, 0x19da }, { 0x1a00, 0x1a16 },
	{ 0x1a20, 0x1a54 }, { 0x1a80, 0x1a89 }, { 0x1a90, 0x1a99 }, { 0x1aa7, 0x1aa7 }, { 0x1b05, 0x1b33 },
	{ 0x1b45, 0x1b4c }, { 0x1b50, 0x1b59 }, { 0x1b83, 0x1ba0 }, { 0x1bae, 0x1be5 }, { 0x1c00, 0x1c23 },
	{ 0x1c40, 0x1c49 }, { 0x1c4d, 0x1c7d }, { 0x1c80, 0x1c88 }, { 0x1c90, 0x1cba }, { 0x1cbd, 0x1cbf },
	{ 0x1ce9, 0x1cec }, { 0x1cee, 0x1cf3 }, { 0x1cf5, 0x1cf6 }, { 0x1cfa, 0x1cfa }, { 0x1d00, 0x1dbf },
	{ 0x1e00, 0x1f15 }, { 0x1f18, 0x1f1d }, { 0x1f20, 0x1f45 }, { 0x1f48, 0x1f4d }, { 0x1f50, 0x1f57 },
	{ 0x1f59, 0x1f59 }, { 0x1f5b, 0x1f5b }, { 0x1f5d, 0x1f5d }, { 0x1f5f, 0x1f7d }, { 0x1f80, 0x1fb4 },
	{ 0x1fb6, 0x1fbc }, { 0x1fbe, 0x1fbe }, { 0x1fc2, 0x1fc4 }, { 0x1fc6, 0x1fcc }, { 0x1fd0, 0x1fd3 },
	{ 0x1fd6, 0x1fdb }, { 0x1fe0, 0x1fec }, { 0x1ff2, 0x1ff4 }, { 0x1ff6, 0x1ffc }, { 0x2070, 0x2071 },
	{ 0x2074, 0x2079 }, { 0x207f, 0x2089 }, { 0x2090, 0x209c }, { 0x2102, 0x2102 }, { 0x2107, 0x2107 },
	{ 0x210a, 0x2113 }, { 0x2115, 0x2115 }, { 0x2119, 0x211d }, { 0x2124, 0x2124 }, { 0x2126, 0x2126 },
	{ 0x2128, 0x2128 }, { 0x212a, 0x212d }, { 0x212f, 0x2139 }, { 0x213c, 0x213f }, { 0x2145, 0x2149 },
	{ 0x214e, 0x214e }, { 0x2150, 0x2189 }, { 0x2460, 0x249b }, { 0x24ea, 0x24ff }, { 0x2776, 0x2793 },
	{ 0x2c00, 0x2ce4 }, { 0x2ceb, 0x2cee }, { 0x2cf2, 0x2cf3 }, { 0x2cfd, 0x2cfd }, { 0x2d00, 0x2d25 },
	{ 0x2d27, 0x2d27 }, { 0x2d2d, 0x2d2d }, { 0x2d30, 0x2d67 }, { 0x2d6f, 0x2d6f }, { 0x2d80, 0x2d96 },
	{ 0x2da0, 0x2da6 }, { 0x2da8, 0x2dae }, { 0x2db0, 0x2db6 }, { 0x2db8, 0x2dbe }, { 0x2dc0, 0x2dc6 },
	{ 0x2dc8, 0x2dce }, { 0x2dd0, 0x2dd6 }, { 0x2dd8, 0x2dde }, { 0x2e2f, 0x2e2f }, { 0x3005, 0x3007 },
	{ 0x3021, 0x3029 }, { 0x3031, 0x3035 }, { 0x3038, 0x303c }, { 0x3041, 0x3096 }, { 0x309d, 0x309f },
	{ 0x30a1, 0x30fa }, { 0x30fc, 0x30ff }, { 0x3105, 0x312f }, { 0x3131, 0x318e }, { 0x3192, 0x3195 },
	{ 0x31a0, 0x31bf }, { 0x31f0, 0x31ff }, { 0x3220, 0x3229 }, { 0x3248, 0x324f }, { 0x3251, 0x325f },
	{ 0x3280, 0x3289 }, { 0x32b1, 0x32bf }, { 0x3400, 0x4dbf }, { 0x4e00, 0xa48c }, { 0xa4d0, 0xa4fd },
	{ 0xa500, 0xa60c }, { 0xa610, 0xa62b }, { 0xa640, 0xa66e }, { 0xa67f, 0xa69d }, { 0xa6a0, 0xa6ef },
	{ 0xa717, 0xa71f }, { 0xa722, 0xa788 }, { 0xa78b, 0xa7ca }, { 0xa7d0, 0xa7d1 }, { 0xa7d3, 0xa7d3 },
	{ 0xa7d5, 0xa7d9 }, { 0xa7f2, 0xa801 }, { 0xa803, 0xa805 }, { 0xa807, 0xa80a }, { 0xa80c, 0xa822 },
	{ 0xa830, 0xa835 }, { 0xa840, 0xa873 }, { 0xa882, 0xa8b3 }, { 0xa8d0, 0xa8d9 }, { 0xa8f2, 0xa8f7 },
	{ 0xa8fb, 0xa8fb }, { 0xa8fd, 0xa8fe }, { 0xa900, 0xa925 }, { 0xa930, 0xa946 }, { 0xa960, 0xa97c },
	{ 0xa984, 0xa9b2 }, { 0xa9cf, 0xa9d9 }, { 0xa9e0, 0xa9e4 }, { 0xa9e6, 0xa9fe }, { 0xaa00, 0xaa28 },
	{ 0xaa40, 0xaa42 }, { 0xaa44, 0xaa4b }, { 0xaa50, 0xaa59 }, { 0xaa60, 0xaa76 }, { 0xaa7a, 0xaa7a },
	{ 0xaa7e, 0xaaaf }, { 0xaab1, 0xaab1 }, { 0xaab5, 0xaab6 }, { 0xaab9, 0xaabd }, { 0xaac0, 0xaac0 },
	{ 0xaac2, 0xaac2 }, { 0xaadb, 0xaadd }, { 0xaae0, 0xaaea }, { 0xaaf2, 0xaaf4 }, { 0xab01, 0xab06 },
	{ 0xab09, 0xab0e }, { 0xab11, 0xab16 }, { 0xab20, 0xab26 }, { 0xab28, 0xab2e }, { 0xab30, 0xab5a },
	{ 0xab5c, 0xab69 }, { 0xab70, 0xabe2 }, { 0xabf0, 0xabf9 }, { 0xac00, 0xd7a3 }, { 0xd7b0, 0xd7c6 },
	{ 0xd7cb, 0xd7fb }, { 0xf900, 0xfa6d }, { 0xfa70, 0xfad9 }, { 0xfb00, 0xfb06 }, { 0xfb13, 0xfb17 },
	{ 0xfb1d, 0xfb1d }, { 0xfb1f, 0xfb28 }, { 0xfb2a, 0xfb36 }, { 0xfb38, 0xfb3c }, { 0xfb3e, 0xfb3e },
	{ 0xfb40, 0xfb41 }, { 0xfb43, 0xfb44 }, { 0xfb46, 0xfbb1 }, { 0xfbd3, 0xfd3d }, { 0xfd50, 0xfd8f },
	{ 0xfd92, 0xfdc7 }, { 0xfdf0, 0xfdfb }, { 0xfe70, 0xfe74 }, { 0xfe76, 0xfefc }, { 0xff10, 0xff19 },
	{ 0xff21, 0xff3a }, { 0xff41, 0xff5a }, { 0xff66, 0xffbe }, { 0xffc2, 0xffc7 }, { 0xffca, 0xffcf },
	{ 0xffd2, 0xffd7 }, { 0xffda, 0xffdc }, { 0x10000, 0x1000b }, { 0x1000d, 0x10026 }, { 0x10028, 0x1003a },
	{ 0x1003c, 0x1003d }, { 0x1003f, 0x1004d }, { 0x10050, 0x1005d }, { 0x10080, 0x100fa }, { 0x10107, 0x10133 },
	{ 0x10140, 0x10178 }, { 0x1018a, 0x1018b }, { 0x10280, 0x1029c }, { 0x102a0, 0x102d0 }, { 0x102e1, 0x102fb },
	{ 0x10300, 0x10323 }, { 0x1032d, 0x1034a }, { 0x10350, 0x10375 }, { 0x10380, 0x1039d }, { 0x103a0, 0x103c3 },
	{ 0x103c8, 0x103cf }, { 0x103d1, 0x103d5 }, { 0x10400, 0x1049d }, { 0x104a0, 0x104a9 }, { 0x104b0, 0x104d3 },
	{ 0x104d8, 0x104fb }, { 0x10500, 0x10527 }, { 0x10530, 0x10563 }, { 0x10570, 0x1057a }, { 0x1057c, 0x1058a },
	{ 0x1058c, 0x10592 }, { 0x10594, 0x10595 }, { 0x10597, 0x105a1 }, { 0x105a3, 0x105b1 }, { 0x105b3, 0x105b9 },
	{ 0x105bb, 0x105bc }, { 0x10600, 0x10736 }, { 0x10740, 0x10755 }, { 0x10760, 0x10767 }, { 0x10780, 0x10785 },
	{ 0x10787, 0x107b0 }, { 0x107b2, 0x107ba }, { 0x10800, 0x10805 }, { 0x10808, 0x10808 }, { 0x1080a, 0x10835 },
	{ 0x10837, 0x10838 }, { 0x1083c, 0x1083c }, { 0x1083f, 0x10855 }, { 0x10858, 0x10876 }, { 0x10879, 0x1089e },
	{ 0x108a7, 0x108af }, { 0x108e0, 0x108f2 }, { 0x108f4, 0x108f5 }, { 0x108fb, 0x1091b }, { 0x10920, 0x10939 },
	{ 0x10980, 0x109b7 }, { 0x109bc, 0x109cf }, { 0x109d2, 0x10a00 }, { 0x10a10, 0x10a13 }, { 0x10a15, 0x10a17 },
	{ 0x10a19, 0x10a35 }, { 0x10a40, 0x10a48 }, { 0x10a60, 0x10a7e }, { 0x10a80, 0x10a9f }, { 0x10ac0, 0x10ac7 },
	{ 0x10ac9, 0x10ae4 }, { 0x10aeb, 0x10aef }, { 0x10b00, 0x10b35 }, { 0x10b40, 0x10b55 }, { 0x10b58, 0x10b72 },
	{ 0x10b78, 0x10b91 }, { 0x10ba9, 0x10baf }, { 0x10c00, 0x10c48 }, { 0x10c80, 0x10cb2 }, { 0x10cc0, 0x10cf2 },
	{ 0x10cfa, 0x10d23 }, { 0x10d30, 0x10d39 }, { 0x10e60, 0x10e7e }, { 0x10e80, 0x10ea9 }, { 0x10eb0, 0x10eb1 },
	{ 0x10f00, 0x10f27 }, { 0x10f30, 0x10f45 }, { 0x10f51, 0x10f54 }, { 0x10f70, 0x10f81 }, { 0x10fb0, 0x10fcb },
	{ 0x10fe0, 0x10ff6 }, { 0x11003, 0x11037 }, { 0x11052, 0x1106f }, { 0x11071, 0x11072 }, { 0x11075, 0x11075 },
	{ 0x11083, 0x110af }, { 0x110d0, 0x110e8 }, { 0x110f0, 0x110f9 }, { 0x11103, 0x11126 }, { 0x11136, 0x1113f },
	{ 0x11144, 0x11144 }, { 0x11147, 0x11147 }, { 0x11150, 0x11172 }, { 0x11176, 0x11176 }, { 0x11183, 0x111b2 },
	{ 0x111c1, 0x111c4 }, { 0x111d0, 0x111da }, { 0x111dc, 0x111dc }, { 0x111e1, 0x111f4 }, { 0x11200, 0x11211 },
	{ 0x11213, 0x1122b }, { 0x11280, 0x11286 }, { 0x11288, 0x11288 }, { 0x1128a, 0x1128d }, { 0x1128f, 0x1129d },
	{ 0x1129f, 0x112a8 }, { 0x112b0, 0x112de }, { 0x112f0, 0x112f9 }, { 0x11305, 0x1130c }, { 0x1130f, 0x11310 },
	{ 0x11313, 0x11328 }, { 0x1132a, 0x11330 }, { 0x11332, 0x11333 }, { 0x11335, 0x11339 }, { 0x1133d, 0x1133d },
	{ 0x11350, 0x11350 }, { 0x1135d, 0x11361 }, { 0x11400, 0x11434 }, { 0x11447, 0x1144a }, { 0x11450, 0x11459 },
	{ 0x1145f, 0x11461 }, { 0x11480, 0x114af }, { 0x114c4, 0x114c5 }, { 0x114c7, 0x114c7 }, { 0x114d0, 0x114d9 },
	{ 0x11580, 0x115ae }, { 0x115d8, 0x115db }, { 0x11600, 0x1162f }, { 0x11644, 0x11644 }, { 0x11650, 0x11659 },
	{ 0x11680, 0x116aa }, { 0x116b8, 0x116b8 }, { 0x116c0, 0x116c9 }, { 0x11700, 0x1171a }, { 0x11730, 0x1173b },
	{ 0x11740, 0x11746 }, { 0x11800, 0x1182b }, { 0x118a0, 0x118f2 }, { 0x118ff, 0x11906 }, { 0x11909, 0x11909 },
	{ 0x1190c, 0x11913 }, { 0x11915, 0x11916 }, { 0x11918, 0x1192f }, { 0x1193f, 0x1193f }, { 0x11941, 0x11941 },
	{ 0x11950, 0x11959 }, { 0x119a0, 0x119a7 }, { 0x119aa, 0x119d0 }, { 0x119e1, 0x119e1 }, { 0x119e3, 0x119e3 },
	{ 0x11a00, 0x11a00 }, { 0x11a0b, 0x11a32 }, { 0x11a3a, 0x11a3a }, { 0x11a50, 0x11a50 }, { 0x11a5c, 0x11a89 },
	{ 0x11a9d, 0x11a9d }, { 0x11ab0, 0x11af8 }, { 0x11c00, 0x11c08 }, { 0x11c0a, 0x11c2e }, { 0x11c40, 0x11c40 },
	{ 0x11c50, 0x11c6c }, { 0x11c72, 0x11c8f }, { 0x11d00, 0x11d06 }, { 0x11d08, 0x11d09 }, { 0x11d0b, 0x11d30 },
	{ 0x11d46, 0x11d46 }, { 0x11d50, 0x11d59 }, { 0x11d60, 0x11d65 }, { 0x11d67, 0x11d68 }, { 0x11d6a, 0x11d89 },
	{ 0x11d98, 0x11d98 }, { 0x11da0, 0x11da9 }, { 0x11ee0, 0x11ef2 }, { 0x11fb0, 0x11fb0 }, { 0x11fc0, 0x11fd4 },
	{ 0x12000, 0x12399 }, { 0x12400, 0x1246e }, { 0x12480, 0x12543 }, { 0x12f90, 0x12ff0 }, { 0x13000, 0x1342e },
	{ 0x14400, 0x14646 }, { 0x16800, 0x16a38 }, { 0x16a40, 0x16a5e }, { 0x16a60, 0x16a69 }, { 0x16a70, 0x16abe },
	{ 0x16ac0, 0x16ac9 }, { 0x16ad0, 0x16aed }, { 0x16b00, 0x16b2f }, { 0x16b40, 0x16b43 }, { 0x16b50, 0x16b59 },
	{ 0x16b5b, 0x16b61 }, { 0x16b63, 0x16b77 }, { 0x16b7d, 0x16b8f }, { 0x16e40, 0x16e96 }, { 0x16f00, 0x16f4a },
	{ 0x16f50, 0x16f50 }, { 0x16f93, 0x16f9f }, { 0x16fe0, 0x16fe1 }, { 0x16fe3, 0x16fe3 }, { 0x17000, 0x187f7 },
	{ 0x18800, 0x18cd5 }, { 0x18d00, 0x18d08 }, { 0x1aff0, 0x1aff3 }, { 0x1aff5, 0x1affb }, { 0x1affd, 0x1affe },
	{ 0x1b000, 0x1b122 }, { 0x1b150, 0x1b152 }, { 0x1b164, 0x1b167 }, { 0x1b170, 0x1b2fb }, { 0x1bc00, 0x1bc6a },
	{ 0x1bc70, 0x1bc7c }, { 0x1bc80, 0x1bc88 }, { 0x1bc90, 0x1bc99 }, { 0x1d2e0, 0x1d2f3 }, { 0x1d360, 0x1d378 },
	{ 0x1d400, 0x1d454 }, { 0x1d456, 0x1d49c }, { 0x1d49e, 0x1d49f }, { 0x1d4a2, 0x1d4a2 }, { 0x1d4a5, 0x1d4a6 },
	{ 0x1d4a9, 0x1d4ac }, { 0x1d4ae, 0x1d4b9 }, { 0x1d4bb, 0x1d4bb }, { 0x1d4bd, 0x1d4c3 }, { 0x1d4c5, 0x1d505 },
	{ 0x1d507, 0x1d50a }, { 0x1d50d, 0x1d514 }, { 0x1d516, 0x1d51c }, { 0x1d51e, 0x1d539 }, { 0x1d53b, 0x1d53e },
	{ 0x1d540, 0x1d544 }, { 0x1d546, 0x1d546 }, { 0x1d54a, 0x1d550 }, { 0x1d552, 0x1d6a5 }, { 0x1d6a8, 0x1d6c0 },
	{ 0x1d6c2, 0x1d6da }, { 0x1d6dc, 0x1d6fa }, { 0x1d6fc, 0x1d714 }, { 0x1d716, 0x1d734 }, { 0x1d736, 0x1d74e },
	{ 0x1d750, 0x1d76e }, { 0x1d770, 0x1d788 }, { 0x1d78a, 0x1d7a8 }, { 0x1d7aa, 0x1d7c2 }, { 0x1d7c4, 0x1d7cb },
	{ 0x1d7ce, 0x1d7ff }, { 0x1df00, 0x1df1e }, { 0x1e100, 0x1e12c }, { 0x1e137, 0x1e13d }, { 0x1e140, 0x1e149 },
	{ 0x1e14e, 0x1e14e }, { 0x1e290, 0x1e2ad }, { 0x1e2c0, 0x1e2eb }, { 0x1e2f0, 0x1e2f9 }, { 0x1e7e0, 0x1e7e6 },
	{ 0x1e7e8, 0x1e7eb }, { 0x1e7ed, 0x1e7ee }, { 0x1e7f0, 0x1e7fe }, { 0x1e800, 0x1e8c4 }, { 0x1e8c7, 0x1e8cf },
	{ 0x1e900, 0x1e943 }, { 0x1e94b, 0x1e94b }, { 0x1e950, 0x1e959 }, { 0x1ec71, 0x1ecab }, { 0x1ecad, 0x1ecaf },
	{ 0x1ecb1, 0x1ecb4 }, { 0x1ed01, 0x1ed2d }, { 0x1ed2f, 0x1ed3d }, { 0x1ee00, 0x1ee03 }, { 0x1ee05, 0x1ee1f },
	{ 0x1ee21, 0x1ee22 }, { 0x1ee24, 0x1ee24 }, { 0x1ee27, 0x1ee27 }, { 0x1ee29, 0x1ee32 }, { 0x1ee34, 0x1ee37 },
	{ 0x1ee39, 0x1ee39 }, { 0x1ee3b, 0x1ee3b }, { 0x1ee42, 0x1ee42 }, { 0x1ee47, 0x1ee47 }, { 0x1ee49, 0x1ee49 },
	{ 0x1ee4b, 0x1ee4b }, { 0x1ee4d, 0x1ee4f }, { 0x1ee51, 0x1ee52 }, { 0x1ee54, 0x1ee54 }, { 0x1ee57, 0x1ee57 },
	{ 0x1ee59, 0x1ee59 }, { 0x1ee5b, 0x1ee5b }, { 0x1ee5d, 0x1ee5d }, { 0x1ee5f, 0x1ee5f }, { 0x1ee61, 0x1ee62 },
	{ 0x1ee64, 0x1ee64 }, { 0x1ee67, 0x1ee6a }, { 0x1ee6c, 0x1ee72 }, { 0x1ee74, 0x1ee77 }, { 0x1ee79, 0x1ee7c },
	{ 0x1ee7e, 0x1ee7e }, { 0x1ee80, 0x1ee89 }, { 0x1ee8b, 0x1ee9b }, { 0x1eea1, 0x1eea3 }, { 0x1eea5, 0x1eea9 },
	{ 0x1eeab, 0x1eebb }, { 0x1f100, 0x1f10c }, { 0x1fbf0, 0x1fbf9 }, { 0x20000, 0x2a6df }, { 0x2a700, 0x2b738 },
	{ 0x2b740, 0x2b81d }, { 0x2b820, 0x2cea1 }, { 0x2ceb0, 0x2ebe0 }, { 0x2f800, 0x2fa1d }, { 0x30000, 0x3134a },

};

static bool marker__word_cp(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(marker__wordr) / sizeof(marker__wordr[0]);

	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < marker__wordr[mid][0])
			hi = mid;
		else if (cp > marker__wordr[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Whether the character starting at s[i] (ending before s[i] when before)
 * is \w; a byte that is not UTF-8 counts as a letter. */
static bool marker__word(const char *s, size_t len, size_t i, bool before)
{
	uint32_t cp;
	size_t start = i;

	if (before) {
		if (i == 0)
			return false;
		start = i - 1;
		while (start > 0 && i - start < 4 && ((unsigned char)s[start] & 0xc0) == 0x80)
			start--;
	} else if (i >= len) {
		return false;
	}
	if ((unsigned char)s[start] < 0x80)
		return marker__word_cp((unsigned char)s[start]);
	if (!th_version_utf8(s + start, s + len, &cp) || (before && start + th_version_utf8(s + start, s + len, &cp) != i))
		return true;
	return marker__word_cp(cp);
}

bool th_marker_boundary(const char *s, size_t len, size_t i)
{
	return marker__word(s, len, i, true) != marker__word(s, len, i, false);
}

static bool marker__boundary(const marker__p *p, size_t i)
{
	return th_marker_boundary(p->s, p->len, i);
}

static void marker__ws(marker__p *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
		p->pos++;
}

/* A keyword with \b on both sides. */
static bool marker__kw(const marker__p *p, const char *kw)
{
	size_t n = strlen(kw);

	return p->len - p->pos >= n && !memcmp(p->s + p->pos, kw, n) && marker__boundary(p, p->pos) &&
	       marker__boundary(p, p->pos + n);
}

static int marker__syntax(marker__p *p, const char *what)
{
	return th_error_set(p->err, TH_ERR_INVALID, "marker: %s at offset %zu", what, p->pos);
}

/* ---- quoted strings: Python literal escapes ---- */

static int marker__hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the body of a quoted string as ast.literal_eval would; the output
 * is never longer than the input. Returns the length or -1 when Python
 * would refuse it. */
static long marker__unescape(char *o, const char *s, size_t n)
{
	size_t i = 0, k = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0 || c == '\n' || c == '\r')
			return -1; /* NUL: refused; a raw line break ends the literal */
		if (c != '\\') {
			o[k++] = (char)c;
			i++;
			continue;
		}
		if (++i >= n)
			return -1; /* the backslash would escape the closing quote */
		c = (unsigned char)s[i++];
		switch (c) {
		case '\n':
			break;
		case '\r':
			if (i < n && s[i] == '\n')
				i++;
			break;
		case '\\': o[k++] = '\\'; break;
		case '\'': o[k++] = '\''; break;
		case '"': o[k++] = '"'; break;
		case 'a': o[k++] = '\a'; break;
		case 'b': o[k++] = '\b'; break;
		case 'f': o[k++] = '\f'; break;
		case 'n': o[k++] = '\n'; break;
		case 'r': o[k++] = '\r'; break;
		case 't': o[k++] = '\t'; break;
		case 'v': o[k++] = '\v'; break;
		case 'x':
		case 'u':
		case 'U': {
			int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
			unsigned long cp = 0;
			for (int d = 0; d < digits; d++, i++) {
				int h = i < n ? marker__hex((unsigned char)s[i]) : -1;
				if (h < 0)
					return -1;
				cp = cp * 16 + (unsigned long)h;
			}
			if (cp > 0x10ffff)
				return -1;
			k += th_name_utf8_put(o + k, (uint32_t)cp);
			break;
		}
		case 'N':
			return -1; /* \N{name} needs the Unicode name table: refused */
		default:
			if (c >= '0' && c <= '7') {
				unsigned long cp = (unsigned long)(c - '0');
				for (int d = 0; d < 2 && i < n && s[i] >= '0' && s[i] <= '7'; d++, i++)
					cp = cp * 8 + (unsigned long)(s[i] - '0');
				k += th_name_utf8_put(o + k, (uint32_t)cp);
			} else {
				/* unknown escapes stay as written (a warning in Python) */
				o[k++] = '\\';
				i--;
			}
		}
	}
	return (long)k;
}

/* ---- parsing ---- */

static int marker__operand_parse(marker__p *p, marker__operand *out)
{
	const char *s = p->s + p->pos;
	size_t left = p->len - p->pos;

	if (left && (s[0] == '\'' || s[0] == '"')) {
		const char *end = memchr(s + 1, s[0], left - 1);
		char *buf;
		long n;
		if (end) {
			size_t body = (size_t)(end - s - 1);
			buf = th_arena_alloc(p->a, body + 1);
			if (!buf)
				return th_error_set(p->err, TH_ERR_NOMEM, "marker: out of memory");
			n = marker__unescape(buf, s + 1, body);
			if (n < 0)
				return marker__syntax(p, "invalid quoted string");
			buf[n] = '\0';
			out->is_var = 0;
			out->s = buf;
			out->len = (size_t)n;
			p->pos += body + 2;
			return 0;
		}
	}
	if (marker__boundary(p, p->pos)) {
		for (size_t i = 0; i < sizeof(marker__spelling) / sizeof(marker__spelling[0]); i++) {
			size_t n = strlen(marker__spelling[i].text);
			if (left >= n && !memcmp(s, marker__spelling[i].text, n) && marker__boundary(p, p->pos + n)) {
				out->is_var = 1;
				out->var = marker__spelling[i].var;
				out->s = marker__varname[out->var];
				out->len = strlen(out->s);
				p->pos += n;
				return 0;
			}
		}
	}
	return marker__syntax(p, "expected a marker variable or quoted string");
}

static int marker__op_parse(marker__p *p, unsigned char *op)
{
	static const struct {
		const char *t;
		unsigned char op;
	} ops[] = { { "===", OP_ARB }, { "==", OP_EQ }, { "~=", OP_COMPAT }, { "!=", OP_NE },
		    { "<=", OP_LE },   { ">=", OP_GE }, { "<", OP_LT },       { ">", OP_GT } };

	if (marker__kw(p, "in")) {
		p->pos += 2;
		*op = OP_IN;
		return 0;
	}
	if (marker__kw(p, "not")) {
		p->pos += 3;
		if (p->pos >= p->len || (p->s[p->pos] != ' ' && p->s[p->pos] != '\t'))
			return marker__syntax(p, "expected whitespace after 'not'");
		marker__ws(p);
		if (!marker__kw(p, "in"))
			return marker__syntax(p, "expected 'in' after 'not'");
		p->pos += 2;
		*op = OP_NOTIN;
		return 0;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].t);
		if (p->len - p->pos >= n && !memcmp(p->s + p->pos, ops[i].t, n)) {
			p->pos += n;
			*op = ops[i].op;
			return 0;
		}
	}
	return marker__syntax(p, "expected a marker operator");
}

static int marker__expr(marker__p *p, th_marker **out);

static th_marker *marker__node(marker__p *p)
{
	th_marker *m = th_arena_zalloc(p->a, sizeof(*m));

	if (!m)
		th_error_set(p->err, TH_ERR_NOMEM, "marker: out of memory");
	return m;
}

static int marker__atom(marker__p *p, th_marker **out)
{
	int rc;

	marker__ws(p);
	if (p->pos < p->len && p->s[p->pos] == '(') {
		if (p->depth >= TH_MARKER_DEPTH_MAX)
			return th_error_set(p->err, TH_ERR_LIMIT, "marker: parentheses nested deeper than %d",
					    TH_MARKER_DEPTH_MAX);
		p->pos++;
		p->depth++;
		marker__ws(p);
		rc = marker__expr(p, out);
		if (rc)
			return rc;
		marker__ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ')')
			return marker__syntax(p, "expected closing parenthesis");
		p->pos++;
		p->depth--;
	} else {
		th_marker *m = marker__node(p);
		if (!m)
			return TH_ERR_NOMEM;
		marker__ws(p);
		if ((rc = marker__operand_parse(p, &m->item.l)))
			return rc;
		marker__ws(p);
		if ((rc = marker__op_parse(p, &m->item.op)))
			return rc;
		marker__ws(p);
		if ((rc = marker__operand_parse(p, &m->item.r)))
			return rc;
		marker__ws(p);
		*out = m;
	}
	marker__ws(p);
	return 0;
}

/* marker = atom (("and" | "or") atom)* — kept flat, as 23.0 keeps it, since
 * its str() depends on that shape. */
static int marker__expr(marker__p *p, th_marker **out)
{
	th_marker *g = marker__node(p), *child;
	size_t cap = 0;
	int rc;

	if (!g)
		return TH_ERR_NOMEM;
	g->is_group = 1;
	for (;;) {
		unsigned char is_or = 0;
		if (g->n) {
			if (marker__kw(p, "or"))
				is_or = 1;
			else if (!marker__kw(p, "and"))
				break;
			p->pos += is_or ? 2 : 3;
		}
		if ((rc = marker__atom(p, &child)))
			return rc;
		if (g->n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			th_marker **nc = th_arena_alloc(p->a, ncap * sizeof(*nc));
			unsigned char *no = th_arena_alloc(p->a, ncap);
			if (!nc || !no)
				return th_error_set(p->err, TH_ERR_NOMEM, "marker: out of memory");
			if (g->n) {
				memcpy(nc, g->child, g->n * sizeof(*nc));
				memcpy(no, g->is_or, g->n);
			}
			g->child = nc;
			g->is_or = no;
			cap = ncap;
		}
		g->child[g->n] = child;
		g->is_or[g->n++] = is_or;
	}
	*out = g;
	return 0;
}

/* ---- evaluation plan ---- */

static int marker__lookup(const char *s, size_t len)
{
	for (int v = 0; v < TH_MV_COUNT; v++)
		if (strlen(marker__varname[v]) == len && !memcmp(marker__varname[v], s, len))
			return v;
	return -1;
}

static int marker__canon(th_arena *a, const char **s, size_t *len)
{
	char *o = th_arena_alloc(a, *len + *len / 2 + 1);

	if (!o)
		return TH_ERR_NOMEM;
	*len = th_name_canon(o, *s, *len);
	o[*len] = '\0';
	*s = o;
	return 0;
}

/* What Specifier(op + s) is in 23.0: NULL when it is none. */
static int marker__spec_make(const th_spec **out, int op, const char *s, size_t len, th_arena *a)
{
	const char *opname = marker__opname[op];
	size_t oplen = strlen(opname), n = oplen + len;
	th_spec *spec;
	char *cat;

	*out = NULL;
	if (op > OP_ARB)
		return 0;
	cat = th_arena_alloc(a, n + 1);
	if (!cat)
		return TH_ERR_NOMEM;
	memcpy(cat, opname, oplen);
	memcpy(cat + oplen, s, len);
	cat[n] = '\0';
	if (th_spec_parse(&spec, cat, n, a, NULL) == 0)
		*out = spec;
	return 0;
}

static int marker__plan(marker__item *it, th_arena *a)
{
	int rc;

	if (it->l.is_var) {
		it->key = it->l.var;
		it->lsrc = SRC_ENV;
		it->rsrc = SRC_LIT;
		it->rlit = it->r.s;
		it->rlen = it->r.len;
	} else {
		it->lsrc = SRC_LIT;
		it->llit = it->l.s;
		it->llen = it->l.len;
		it->rsrc = SRC_ENV;
		if (it->r.is_var) {
			it->key = it->r.var;
		} else {
			int v = marker__lookup(it->r.s, it->r.len);
			it->key = v < 0 ? KEY_UNKNOWN : (unsigned char)v;
		}
	}
	if (it->key == KEY_UNKNOWN)
		return 0;
	if (it->key == TH_MV_EXTRA || it->key >= TH_MV_NSTRINGS) {
		if (it->lsrc == SRC_LIT && (rc = marker__canon(a, &it->llit, &it->llen)))
			return rc;
		if (it->rsrc == SRC_LIT && (rc = marker__canon(a, &it->rlit, &it->rlen)))
			return rc;
	}
	if (it->key >= TH_MV_NSTRINGS)
		return 0;
	if (it->lsrc == SRC_LIT)
		it->lver_ok = th_version_parse(&it->lver, it->llit, it->llen, a, NULL) == 0;
	if (it->rsrc == SRC_LIT && (rc = marker__spec_make(&it->rspec, it->op, it->rlit, it->rlen, a)))
		return rc;
	return 0;
}

static int marker__plan_all(th_marker *m, th_arena *a)
{
	int rc;

	if (!m->is_group)
		return marker__plan(&m->item, a);
	for (size_t i = 0; i < m->n; i++)
		if ((rc = marker__plan_all(m->child[i], a)))
			return rc;
	return 0;
}

/* 23.0 normalises the extra name of the marker's first comparison only (and
 * only when it is not in parentheses); str() shows it. */
static int marker__normalize_first(th_marker *top, th_arena *a)
{
	marker__item *it;
	marker__operand *other;

	if (!top->n || top->child[0]->is_group)
		return 0;
	it = &top->child[0]->item;
	if (it->l.is_var && (it->l.var == TH_MV_EXTRA || it->l.var >= TH_MV_NSTRINGS))
		other = &it->r;
	else if (it->r.is_var && (it->r.var == TH_MV_EXTRA || it->r.var >= TH_MV_NSTRINGS))
		other = &it->l;
	else
		return 0;
	other->is_var = 0;
	return marker__canon(a, &other->s, &other->len);
}

int th_marker_parse_at(th_marker **out, const char *s, size_t len, size_t *pos, th_arena *a, th_error *err)
{
	marker__p p = { s, len, *pos, a, err, 0 };
	th_marker *m = NULL;
	int rc;

	if ((rc = marker__expr(&p, &m)))
		return rc;
	if ((rc = marker__normalize_first(m, a)) || (rc = marker__plan_all(m, a)))
		return th_error_set(err, rc, "marker: out of memory");
	*pos = p.pos;
	*out = m;
	return 0;
}

int th_marker_parse(th_marker **out, const char *s, size_t len, th_arena *a, th_error *err)
{
	size_t pos = 0;

	return th_marker_parse_at(out, s, len, &pos, a, err);
}

/* ---- str() ---- */

static int marker__fmt_operand(const marker__operand *o, th_buf *out, th_error *err)
{
	int rc;

	if (o->is_var)
		return th_buf_puts(out, o->s, err);
	if ((rc = th_buf_putc(out, '"', err)) || (rc = th_buf_put(out, o->s, o->len, err)))
		return rc;
	return th_buf_putc(out, '"', err);
}

static int marker__fmt(const th_marker *m, bool first, th_buf *out, th_error *err)
{
	int rc;

	if (!m->is_group) {
		if ((rc = marker__fmt_operand(&m->item.l, out, err)) || (rc = th_buf_putc(out, ' ', err)) ||
		    (rc = th_buf_puts(out, marker__opname[m->item.op], err)) || (rc = th_buf_putc(out, ' ', err)))
			return rc;
		return marker__fmt_operand(&m->item.r, out, err);
	}
	if (m->n == 1)
		return marker__fmt(m->child[0], true, out, err);
	if (!first && (rc = th_buf_putc(out, '(', err)))
		return rc;
	for (size_t i = 0; i < m->n; i++) {
		if (i && (rc = th_buf_puts(out, m->is_or[i] ? " or " : " and ", err)))
			return rc;
		if ((rc = marker__fmt(m->child[i], false, out, err)))
			return rc;
	}
	return first ? 0 : th_buf_putc(out, ')', err);
}

int th_marker_format(const th_marker *m, th_buf *out, th_error *err)
{
	return marker__fmt(m, true, out, err);
}

static bool marker__printable(const marker__operand *o)
{
	for (size_t i = 0; !o->is_var && i < o->len; i++)
		if (o->s[i] == '"' || o->s[i] == '\\' || o->s[i] == '\n' || o->s[i] == '\r' || o->s[i] == '\0')
			return false;
	return true;
}

bool th_marker_roundtrips(const th_marker *m)
{
	if (!m->is_group)
		return marker__printable(&m->item.l) && marker__printable(&m->item.r);
	for (size_t i = 0; i < m->n; i++)
		if (!th_marker_roundtrips(m->child[i]))
			return false;
	return true;
}

/* ---- evaluation ---- */

static int marker__cmpstr(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static bool marker__contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return true;
	for (size_t i = 0; i + nlen <= hlen; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, nlen))
			return true;
	return false;
}

static int marker__eval_item(const marker__item *it, const th_marker_env *env, bool *res, th_error *err)
{
	const char *ls, *rs;
	size_t ll, rl;
	const th_version *lv;
	const th_spec *sp;

	if (it->key == KEY_UNKNOWN)
		return th_error_set(err, TH_ERR_INVALID, "marker: '%s' is not an environment variable", it->r.s);
	if (it->key >= TH_MV_NSTRINGS) {
		int w = it->key - TH_MV_NSTRINGS;
		bool found = false;
		if (it->lsrc != SRC_LIT || (it->op != OP_IN && it->op != OP_NOTIN))
			return th_error_set(err, TH_ERR_INVALID, "marker: %s is a set: only 'in' and 'not in' apply",
					    marker__varname[it->key]);
		for (size_t i = 0; i < env->nset[w] && !found; i++)
			found = env->setlen[w][i] == it->llen && !memcmp(env->set[w][i], it->llit, it->llen);
		*res = it->op == OP_IN ? found : !found;
		return 0;
	}
	if (it->lsrc == SRC_ENV) {
		ls = env->var[it->key].s;
		ll = env->var[it->key].len;
		lv = env->var[it->key].is_version ? &env->var[it->key].ver : NULL;
	} else {
		ls = it->llit;
		ll = it->llen;
		lv = it->lver_ok ? &it->lver : NULL;
	}
	if (it->rsrc == SRC_LIT) {
		rs = it->rlit;
		rl = it->rlen;
		sp = it->rspec;
	} else {
		rs = env->var[it->key].s;
		rl = env->var[it->key].len;
		sp = it->op <= OP_ARB ? env->var[it->key].spec[it->op] : NULL;
	}
	if (sp) {
		if (!lv)
			return th_error_set(err, TH_ERR_INVALID, "marker: '%.*s' is not a version to compare with %s",
					    (int)(ll > 200 ? 200 : ll), ls, marker__opname[it->op]);
		*res = th_spec_contains(sp, lv, 1);
		return 0;
	}
	switch (it->op) {
	case OP_IN: *res = marker__contains(rs, rl, ls, ll); return 0;
	case OP_NOTIN: *res = !marker__contains(rs, rl, ls, ll); return 0;
	case OP_EQ: *res = ll == rl && !memcmp(ls, rs, ll); return 0;
	case OP_NE: *res = !(ll == rl && !memcmp(ls, rs, ll)); return 0;
	case OP_LT: *res = marker__cmpstr(ls, ll, rs, rl) < 0; return 0;
	case OP_LE: *res = marker__cmpstr(ls, ll, rs, rl) <= 0; return 0;
	case OP_GT: *res = marker__cmpstr(ls, ll, rs, rl) > 0; return 0;
	case OP_GE: *res = marker__cmpstr(ls, ll, rs, rl) >= 0; return 0;
	default:
		return th_error_set(err, TH_ERR_INVALID, "marker: undefined comparison %s on strings",
				    marker__opname[it->op]);
	}
}

int th_marker_eval(const th_marker *m, const th_marker_env *env, bool *result, th_error *err)
{
	bool any = false, all = true, v;
	int rc;

	if (!m->is_group)
		return marker__eval_item(&m->item, env, result, err);
	/* no short cut: 23.0 evaluates every comparison, so an error anywhere is
	 * an error */
	for (size_t i = 0; i < m->n; i++) {
		if ((rc = th_marker_eval(m->child[i], env, &v, err)))
			return rc;
		if (i && m->is_or[i]) {
			any = any || all;
			all = true;
		}
		all = all && v;
	}
	*result = any || all;
	return 0;
}

/* ---- environment ---- */

void th_marker_env_init(th_marker_env *env)
{
	th_spec *arb = NULL;

	memset(env, 0, sizeof(*env));
	th_arena_init(&env->arena, 4096);
	/* Specifier("===") is valid in 23.0 (an empty identity version), so an
	 * empty value forms one with "===". Out of memory leaves it NULL. */
	if (th_spec_parse(&arb, "===", 3, &env->arena, NULL))
		arb = NULL;
	for (int v = 0; v < TH_MV_NSTRINGS; v++) {
		env->var[v].s = "";
		env->var[v].spec[OP_ARB] = arb;
	}
}

void th_marker_env_release(th_marker_env *env)
{
	th_arena_release(&env->arena);
	memset(env, 0, sizeof(*env));
}

int th_marker_env_set(th_marker_env *env, const char *name, const char *value, size_t len, th_error *err)
{
	int v = marker__lookup(name, strlen(name));
	th_marker_envval *ev;
	const char *s;
	int rc;

	if (v < 0 || v >= TH_MV_NSTRINGS)
		return th_error_set(err, TH_ERR_INVALID, "marker environment: unknown variable '%s'", name);
	ev = &env->var[v];
	s = th_arena_strndup(&env->arena, value, len);
	if (!s)
		return th_error_set(err, TH_ERR_NOMEM, "marker environment: out of memory");
	if (v == TH_MV_EXTRA && (rc = marker__canon(&env->arena, &s, &len)))
		return th_error_set(err, rc, "marker environment: out of memory");
	ev->s = s;
	ev->len = len;
	ev->is_version = th_version_parse(&ev->ver, s, len, &env->arena, NULL) == 0;
	for (int op = 0; op < TH_MARKER_SPEC_OPS; op++)
		if ((rc = marker__spec_make(&ev->spec[op], op, s, len, &env->arena)))
			return th_error_set(err, rc, "marker environment: out of memory");
	return 0;
}

static int marker__set_add(th_marker_env *env, int w, const char *s, size_t len, th_error *err)
{
	const char *c = s;

	if (marker__canon(&env->arena, &c, &len))
		return th_error_set(err, TH_ERR_NOMEM, "marker environment: out of memory");
	for (size_t i = 0; i < env->nset[w]; i++)
		if (env->setlen[w][i] == len && !memcmp(env->set[w][i], c, len))
			return 0;
	if (env->nset[w] == env->capset[w]) {
		size_t ncap = env->capset[w] ? env->capset[w] * 2 : 8;
		const char **ns = th_arena_alloc(&env->arena, ncap * sizeof(*ns));
		size_t *nl = th_arena_alloc(&env->arena, ncap * sizeof(*nl));
		if (!ns || !nl)
			return th_error_set(err, TH_ERR_NOMEM, "marker environment: out of memory");
		if (env->nset[w]) {
			memcpy(ns, env->set[w], env->nset[w] * sizeof(*ns));
			memcpy(nl, env->setlen[w], env->nset[w] * sizeof(*nl));
		}
		env->set[w] = ns;
		env->setlen[w] = nl;
		env->capset[w] = ncap;
	}
	env->set[w][env->nset[w]] = c;
	env->setlen[w][env->nset[w]++] = len;
	return 0;
}

int th_marker_env_add_extra(th_marker_env *env, const char *s, size_t len, th_error *err)
{
	return marker__set_add(env, 0, s, len, err);
}

int th_marker_env_add_dependency_group(th_marker_env *env, const char *s, size_t len, th_error *err)
{
	return marker__set_add(env, 1, s, len, err);
}
