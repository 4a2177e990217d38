/* hy_memory.h — memory accounting: bytes of weights, KV cache, conv state
 * and SSM state at a given context length. */
#ifndef HY_MEMORY_H
#define HY_MEMORY_H

#include "hy_model.h"

typedef struct hy_memory_bytes {
    double weights;     /* all parameters at weight_dtype                          */
    double kv_cache;    /* attention layers x 2 x nKV x hd x context x cache bytes  */
    double conv_state;  /* Mamba layers x Di x K x cache bytes                     */
    double ssm_state;   /* Mamba layers x Di x N x 4 (the scan state stays fp32)   */
} hy_memory_bytes;

hy_memory_bytes hy_memory_account(const hy_config *c, int64_t context, hy_dtype weight_dtype,
                                  hy_dtype cache_dtype);

#endif
