/*
 * A measuring aid for bench/cases/aead.ts, not part of the package: SecretConnection's frames
 * (1,028 bytes of plaintext, ChaCha20-Poly1305 under the nonce 0000 ‖ LE64(counter)) sealed and
 * opened many to one native call, with the OpenSSL that Node itself carries (its headers come
 * with Node, its symbols from the node binary), so that the bench can show what batching frames
 * per call would gain over one call per frame.
 *
 * seal(key, counterLo, counterHi, buf, frames): frame i's plaintext at buf[i * 1044, +1028) is
 *   sealed in place, its tag written after it; returns frames.
 * open(key, counterLo, counterHi, src, dst, frames): frame i of src (1,044 bytes each) opened
 *   into dst[i * 1028, +1028); returns how many opened before the first that failed.
 */
#include <node_api.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

#define PLAIN 1028
#define SEALED (PLAIN + 16)

static void nonce_of(unsigned char n[12], uint64_t counter) {
  memset(n, 0, 4);
  for (int i = 0; i < 8; i++) n[4 + i] = (unsigned char)(counter >> (8 * i));
}

typedef struct {
  void *key, *a, *b;
  size_t key_len, a_len, b_len;
  uint32_t lo, hi, frames;
} args_t;

/* Reads (key, lo, hi, a, [b,] frames); false (with a JS error thrown) when they do not fit. */
static int read_args(napi_env env, napi_callback_info info, int with_b, args_t *x) {
  size_t argc = 6;
  napi_value v[6];
  napi_get_cb_info(env, info, &argc, v, NULL, NULL);
  size_t want = with_b ? 6 : 5;
  memset(x, 0, sizeof *x);
  if (argc != want || napi_get_buffer_info(env, v[0], &x->key, &x->key_len) != napi_ok || x->key_len != 32 ||
      napi_get_value_uint32(env, v[1], &x->lo) != napi_ok || napi_get_value_uint32(env, v[2], &x->hi) != napi_ok ||
      napi_get_buffer_info(env, v[3], &x->a, &x->a_len) != napi_ok ||
      (with_b && napi_get_buffer_info(env, v[4], &x->b, &x->b_len) != napi_ok) ||
      napi_get_value_uint32(env, v[want - 1], &x->frames) != napi_ok) {
    napi_throw_type_error(env, NULL, "batch-aead: bad arguments");
    return 0;
  }
  return 1;
}

static napi_value seal(napi_env env, napi_callback_info info) {
  args_t x;
  if (!read_args(env, info, 0, &x)) return NULL;
  if ((size_t)x.frames * SEALED > x.a_len) {
    napi_throw_range_error(env, NULL, "batch-aead: buffer too small");
    return NULL;
  }
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  uint64_t counter = ((uint64_t)x.hi << 32) | x.lo;
  unsigned char n[12];
  int len, ok = ctx != NULL && EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, x.key, NULL, 1) == 1;
  uint32_t done = 0;
  for (; ok && done < x.frames; done++) {
    unsigned char *p = (unsigned char *)x.a + (size_t)done * SEALED;
    nonce_of(n, counter + done);
    ok = EVP_CipherInit_ex(ctx, NULL, NULL, NULL, n, 1) == 1 && EVP_CipherUpdate(ctx, p, &len, p, PLAIN) == 1 &&
         EVP_CipherFinal_ex(ctx, p + PLAIN, &len) == 1 && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, p + PLAIN) == 1;
  }
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) {
    napi_throw_error(env, NULL, "batch-aead: OpenSSL refused to seal");
    return NULL;
  }
  napi_value r;
  napi_create_uint32(env, done, &r);
  return r;
}

static napi_value open_frames(napi_env env, napi_callback_info info) {
  args_t x;
  if (!read_args(env, info, 1, &x)) return NULL;
  if ((size_t)x.frames * SEALED > x.a_len || (size_t)x.frames * PLAIN > x.b_len) {
    napi_throw_range_error(env, NULL, "batch-aead: buffer too small");
    return NULL;
  }
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  uint64_t counter = ((uint64_t)x.hi << 32) | x.lo;
  unsigned char n[12];
  int len;
  uint32_t opened = 0;
  if (ctx != NULL && EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, x.key, NULL, 0) == 1) {
    for (; opened < x.frames; opened++) {
      unsigned char *s = (unsigned char *)x.a + (size_t)opened * SEALED, *d = (unsigned char *)x.b + (size_t)opened * PLAIN;
      nonce_of(n, counter + opened);
      if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, n, 0) != 1 || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, s + PLAIN) != 1 ||
          EVP_CipherUpdate(ctx, d, &len, s, PLAIN) != 1 || EVP_CipherFinal_ex(ctx, d + PLAIN, &len) != 1)
        break;
    }
  }
  EVP_CIPHER_CTX_free(ctx);
  napi_value r;
  napi_create_uint32(env, opened, &r);
  return r;
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "seal", NAPI_AUTO_LENGTH, seal, NULL, &f);
  napi_set_named_property(env, exports, "seal", f);
  napi_create_function(env, "open", NAPI_AUTO_LENGTH, open_frames, NULL, &f);
  napi_set_named_property(env, exports, "open", f);
  return exports;
}
